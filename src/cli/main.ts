// The `matinale` command (CLI.md). Each command lives in its own module under
// src/cli/ and exports `register(program)`; this file only wires them.
import { Command, CommanderError } from 'commander';
import { EXIT_USAGE } from './usage-error.ts';

type Registrar = (program: Command) => void;

// One line per command module; keep the list sorted.
const modules: Array<() => Promise<{ register: Registrar }>> = [
  () => import('./edition.ts'),
  () => import('./inbound.ts'),
  () => import('./lint.ts'),
  () => import('./migrate.ts'),
  () => import('./publication.ts'),
  () => import('./preview.ts'),
  () => import('./render.ts'),
  () => import('./send.ts'),
  () => import('./sends.ts'),
  () => import('./serve.ts'),
  () => import('./site.ts'),
  () => import('./subscribers.ts'),
  () => import('./user.ts'),
  () => import('./worker.ts'),
];

export async function buildProgram(): Promise<Command> {
  const program = new Command('matinale')
    .description('Matinale: a newsroom platform for daily briefing newsletters')
    .exitOverride()
    .showHelpAfterError();
  for (const load of modules) (await load()).register(program);
  return program;
}

/** Runs the command line and maps errors to exit statuses (0 ok, 1 refused, 2 usage). */
export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram();
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
