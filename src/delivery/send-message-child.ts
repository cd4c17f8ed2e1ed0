// The child process that renders one send's message (render-child.ts): it
// takes the input in one IPC message, answers the message (or why it could
// not be built) and exits, and the parser's and MJML's memory goes with it.
// Nothing here reads the store or logs: the input is plain data.
import { MessageBuildError, renderSendMessage, type SendMessageInput } from './message-render.ts';
import type { RenderAnswer } from './render-thread.ts';

process.once('message', (input: SendMessageInput) => {
  void renderSendMessage(input)
    .then(
      (template): RenderAnswer => ({ template }),
      (err: unknown): RenderAnswer => ({ error: err instanceof Error ? err.message : String(err), build: err instanceof MessageBuildError }),
    )
    // Disconnected once the answer is written: nothing else keeps the child alive.
    .then((answer) => process.send!(answer, () => process.disconnect()));
});
