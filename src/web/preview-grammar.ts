// Grammar for the preview threads: a preview thread does not start checkers
// of its own (a Grammalecte process per thread, restarted with each cancelled
// preview, would cost more than the lint); it asks the server's, through
// messages to the main thread, where the one grammar service of the process
// runs (src/grammar/service.ts: a child process and a thread of its own, so
// the event loop only passes messages). Same checker, same findings as
// `matinale lint`.
import type { GrammarChecker, GrammarResult } from '../edition/grammar.ts';
import type { Language } from '../edition/publication.ts';

/** A preview thread's question to the main thread. */
export interface GrammarQuestion {
  grammar: { id: number; language: Language; paragraphs: string[] };
}

/** The main thread's answer. */
export interface GrammarAnswer {
  grammarAnswer: { id: number; result: GrammarResult };
}

export function isGrammarQuestion(message: unknown): message is GrammarQuestion {
  return typeof message === 'object' && message !== null && 'grammar' in message;
}

export function isGrammarAnswer(message: unknown): message is GrammarAnswer {
  return typeof message === 'object' && message !== null && 'grammarAnswer' in message;
}

/** The main thread's side: answers a question with the server's checker; a failure is answered as a note. */
export async function answerGrammar(checker: GrammarChecker, question: GrammarQuestion): Promise<GrammarAnswer> {
  const { id, language, paragraphs } = question.grammar;
  try {
    return { grammarAnswer: { id, result: await checker.check(language, paragraphs) } };
  } catch (err) {
    return { grammarAnswer: { id, result: { unavailable: `grammar was not checked: ${err instanceof Error ? err.message : String(err)}` } } };
  }
}

/** The thread's side: a GrammarChecker that asks the main thread. */
export class RemoteGrammarChecker implements GrammarChecker {
  private nextId = 1;
  private readonly waiting = new Map<number, (result: GrammarResult) => void>();

  constructor(private readonly post: (question: GrammarQuestion) => void) {}

  check(language: Language, paragraphs: readonly string[]): Promise<GrammarResult> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.post({ grammar: { id, language, paragraphs: [...paragraphs] } });
    });
  }

  /** Hands an answer to the check that waits for it. */
  answered(answer: GrammarAnswer): void {
    const resolve = this.waiting.get(answer.grammarAnswer.id);
    this.waiting.delete(answer.grammarAnswer.id);
    resolve?.(answer.grammarAnswer.result);
  }
}
