// The `matinale` command (CLI.md). Each command lives in its own module under
// src/cli/ and exports `register(program)`; this file only wires them, and
// loads a command's module (and all it imports: the store, fastify, mjml,
// openpgp…) only when that command runs. `matinale --help` and a mistyped
// command read the table below and load none of them (src/cli/README.md).
import { Command, CommanderError, Help } from 'commander';
import { EXIT_USAGE } from './usage-error.ts';

type Registrar = (program: Command) => void;

/** One line of `matinale --help`, and where the command's module is. */
export interface CommandEntry {
  /** The command's name and arguments as the help lists them (`lint [options] <edition>`). */
  term: string;
  /** Its description, word for word the one its module registers. */
  summary: string;
  load: () => Promise<{ register: Registrar }>;
}

// One entry per command module, keyed by the command's name; keep it sorted.
// test/cli/main.test.ts checks that `term` and `summary` match what each module registers.
export const COMMANDS: Record<string, CommandEntry> = {
  edition: {
    term: 'edition',
    summary: 'editions: store, list, compare, move through the workflow',
    load: () => import('./edition.ts'),
  },
  inbound: {
    term: 'inbound [options]',
    summary: 'receive mail that comes back: mailto unsubscribes, bounce reports, complaints (SMTP listener, or one message on stdin)',
    load: () => import('./inbound.ts'),
  },
  lint: {
    term: 'lint [options] <edition>',
    summary: 'check an edition: parse errors and lint warnings, as FILE:LINE:COL severity rule-id message',
    load: () => import('./lint.ts'),
  },
  migrate: {
    term: 'migrate [options]',
    summary: 'bring the database schema up to date (SQLite in DATA_DIR, or DATABASE_URL)',
    load: () => import('./migrate.ts'),
  },
  preview: {
    term: 'preview [options] <edition>',
    summary: 'serve a local page showing the email (desktop and phone), the text and the web page, refreshed on save',
    load: () => import('./preview.ts'),
  },
  publication: {
    term: 'publication',
    summary: 'publications and their teams',
    load: () => import('./publication.ts'),
  },
  render: {
    term: 'render [options] <edition>',
    summary: 'render an edition to one format: email HTML, plain text, web page, JSON, or a whole message (eml)',
    load: () => import('./render.ts'),
  },
  send: {
    term: 'send [options] <edition-id>',
    summary: 'schedule or start the send of an edition (approved, or any state with --test)',
    load: () => import('./send.ts'),
  },
  sends: {
    term: 'sends [options] [send-id]',
    summary: 'status of sends: counts per state, rate, time left',
    load: () => import('./sends.ts'),
  },
  serve: {
    term: 'serve [options]',
    summary: 'run the web app (public site, newsroom dashboard, API) with an in-process delivery worker',
    load: () => import('./serve.ts'),
  },
  site: {
    term: 'site',
    summary: 'the public archive as static files, for any web server or CDN',
    load: () => import('./site.ts'),
  },
  subscribers: {
    term: 'subscribers',
    summary: "a publication's subscribers: import, export, data rights",
    load: () => import('./subscribers.ts'),
  },
  user: {
    term: 'user',
    summary: 'newsroom accounts (dashboard sign-in)',
    load: () => import('./user.ts'),
  },
  worker: {
    term: 'worker [options]',
    summary: 'deliver sends (and run the scheduler) until SIGTERM',
    load: () => import('./worker.ts'),
  },
};

function newProgram(): Command {
  return new Command('matinale')
    .description('Matinale: a newsroom platform for daily briefing newsletters')
    .exitOverride()
    .showHelpAfterError();
}

/** The whole program, every command module loaded (tests compare it with the table). */
export async function buildProgram(): Promise<Command> {
  const program = newProgram();
  for (const entry of Object.values(COMMANDS)) (await entry.load()).register(program);
  return program;
}

/**
 * The program as `argv` needs it: the module of the command it names (also
 * after `help`) registered for real, every other command a stand-in holding
 * only its help line, so that the list, the suggestion for a mistyped name
 * and the exit statuses stay those of the whole program.
 */
export async function programFor(argv: readonly string[]): Promise<Command> {
  const program = newProgram();
  // The program itself takes no option but --help, so the first word names the command.
  const name = argv[0] === 'help' ? argv[1] : argv[0];
  const terms = new Map<string, string>();
  for (const [key, entry] of Object.entries(COMMANDS)) {
    if (key === name) (await entry.load()).register(program);
    else {
      program.command(key).description(entry.summary);
      terms.set(key, entry.term);
    }
  }
  const help = new Help();
  program.configureHelp({ subcommandTerm: (cmd) => terms.get(cmd.name()) ?? help.subcommandTerm(cmd) });
  return program;
}

/** Runs the command line and maps errors to exit statuses (0 ok, 1 refused, 2 usage). */
export async function main(argv: string[]): Promise<number> {
  const program = await programFor(argv);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    const code = (err as { exitCode?: number }).exitCode;
    process.stderr.write(`matinale: ${(err as Error).message}\n`);
    if (typeof code === 'number') return code;
    if (process.env.MATINALE_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    return 1;
  }
}
