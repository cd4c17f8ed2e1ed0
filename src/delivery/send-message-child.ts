// The child process that renders one send's message (send-message.ts,
// `apart`): it takes the input in one IPC message, answers the message (or why
// it could not be built) and exits, and the parser's and MJML's memory goes
// with it. Nothing here reads the store or logs: the input is plain data.
import { MessageBuildError, renderSendMessage, type RenderAnswer, type RenderOptions, type SendMessageInput } from './send-message-render.ts';

process.once('message', (data: { input: SendMessageInput; options: RenderOptions }) => {
  void renderSendMessage(data.input, data.options)
    .then(
      (template): RenderAnswer => ({ template }),
      (err: unknown): RenderAnswer => ({ error: err instanceof Error ? err.message : String(err), buildError: err instanceof MessageBuildError }),
    )
    // Disconnected once the answer is written: nothing else keeps the child alive.
    .then((answer) => process.send!(answer, () => process.disconnect()));
});
