// The child process that renders one send's message (render-child.ts): it
// takes the input in one IPC message, answers the message (or why it could
// not be built) and exits, and the parser's and MJML's memory goes with it.
// Nothing here reads the store or logs: the input is plain data.
import { renderToAnswer, type SendMessageInput } from './message-render.ts';

process.once('message', (input: SendMessageInput) => {
  // Disconnected once the answer is written: nothing else keeps the child alive.
  void renderToAnswer(input).then((answer) => process.send!(answer, () => process.disconnect()));
});
