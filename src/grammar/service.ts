// The grammar checker lint is handed (edition/grammar.ts): Grammalecte for
// French, Harper for English, each started on its first check and kept for
// every check after it, so that a lint run or a whole newsroom server has one
// of each. Findings come back sorted into their family (families.ts); those
// of no family (spelling, typography the renderings set) are dropped here.
import type { GrammarChecker, GrammarFinding, GrammarResult } from '../edition/grammar.ts';
import type { Language } from '../edition/publication.ts';
import { grammalecteFamily, harperFamily } from './families.ts';
import { Grammalecte, GrammalecteUnavailable } from './grammalecte.ts';
import type { GrammalecteOptions } from './grammalecte.ts';
import { Harper, HarperUnavailable } from './harper.ts';
import type { HarperOptions } from './harper.ts';

export interface GrammarServiceOptions {
  grammalecte?: GrammalecteOptions;
  harper?: HarperOptions;
}

/** The checkers of every language, started on demand; close() ends them. */
export class GrammarService implements GrammarChecker {
  readonly grammalecte: Grammalecte;
  readonly harper: Harper;

  constructor(options: GrammarServiceOptions = {}) {
    this.grammalecte = new Grammalecte(options.grammalecte);
    this.harper = new Harper(options.harper);
  }

  async check(language: Language, paragraphs: readonly string[]): Promise<GrammarResult> {
    try {
      const findings: GrammarFinding[] = [];
      if (language === 'fr') {
        (await this.grammalecte.check(paragraphs)).forEach((list, paragraph) => {
          for (const f of list) {
            const rule = grammalecteFamily(f.rule, f.type);
            if (rule) findings.push({ paragraph, start: f.start, end: f.end, rule, message: f.message, suggestions: f.suggestions });
          }
        });
      } else {
        (await this.harper.check(paragraphs)).forEach((list, paragraph) => {
          for (const f of list) {
            const rule = harperFamily(f.rule, f.kind, f.message);
            if (rule) findings.push({ paragraph, start: f.start, end: f.end, rule, message: f.message, suggestions: f.suggestions });
          }
        });
      }
      return { findings };
    } catch (err) {
      if (err instanceof GrammalecteUnavailable || err instanceof HarperUnavailable) {
        return { unavailable: `grammar was not checked: ${err.message}` };
      }
      throw err;
    }
  }

  /** Ends the Grammalecte process and the Harper thread. */
  async close(): Promise<void> {
    await Promise.all([this.grammalecte.close(), this.harper.close()]);
  }
}

let shared: GrammarService | undefined;

/** The process's grammar service (a newsroom server's: one Grammalecte, one Harper for every preview). */
export function sharedGrammarService(): GrammarService {
  shared ??= new GrammarService();
  return shared;
}

/** Ends the shared service's checkers, if it was made (a later check starts them again). */
export async function closeSharedGrammarService(): Promise<void> {
  await shared?.close();
}
