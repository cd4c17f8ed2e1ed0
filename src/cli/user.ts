// `matinale user add EMAIL --role author|editor|admin [--name NAME]
// [--publication SLUG…] [--password-stdin]`: a newsroom account that can sign
// in to the dashboard. The password comes from stdin (never from argv, where
// other users of the machine could read it), or is generated and printed once.
// A new password ends the account's sessions.
// `matinale user sign-out EMAIL`: ends every session of the account.
// `matinale user disable EMAIL`: the account can no longer sign in, and its sessions end.
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { withStore } from './context.ts';
import { normaliseEmail } from '../store/people.ts';
import { addAccount, disableAccount, signOutEverywhere } from '../web/auth/accounts.ts';
import { systemClock } from '../clock.ts';
import { ROLES, type Role } from '../edition/publication.ts';
import { RefusedError, UsageError } from './usage-error.ts';

/** The first line of stdin, for --password-stdin. */
async function readPassword(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) {
    text += chunk.toString();
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}

const MIN_PASSWORD = 10;

/** Registers `matinale user add`, `user sign-out` and `user disable`. */
export function register(program: Command): void {
  const user = program.command('user').description('newsroom accounts (dashboard sign-in)');
  user
    .command('add <email>')
    .description('create or update an account and its role (in every publication unless --publication is given)')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--name <name>', 'the person’s name as the newsroom writes it')
    .option('--publication <slug...>', 'publications the role applies to (default: all)')
    .option('--password-stdin', 'read the password from the first line of stdin')
    .action(async (email: string, opts: { role: string; name?: string; publication?: string[]; passwordStdin?: boolean }) => {
      if (!(ROLES as readonly string[]).includes(opts.role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
      if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new UsageError(`${email} is not an email address`);
      const generated = !opts.passwordStdin;
      const password = opts.passwordStdin ? await readPassword(process.stdin) : randomBytes(12).toString('base64url');
      if (password.length < MIN_PASSWORD) throw new RefusedError(`the password must have at least ${MIN_PASSWORD} characters`);
      await withStore(async (store) => {
        try {
          await addAccount(
            store,
            { email, password, role: opts.role as Role, ...(opts.name ? { name: opts.name } : {}), ...(opts.publication ? { publicationSlugs: opts.publication } : {}) },
            systemClock,
          );
        } catch (err) {
          throw new RefusedError((err as Error).message);
        }
      });
      process.stdout.write(`${email.trim().toLowerCase()} can sign in as ${opts.role}${generated ? ` with the password ${password} (shown once)` : ''}\n`);
    });
  user
    .command('sign-out <email>')
    .description('end every session of the account (it signs in again with its password)')
    .action(async (email: string) => {
      const ended = await withStore((store) => signOutEverywhere(store, email));
      if (ended === undefined) throw new RefusedError(`no account has the address ${normaliseEmail(email)}`);
      process.stdout.write(`${normaliseEmail(email)}: ${sessions(ended)} ended\n`);
    });

  user
    .command('disable <email>')
    .description('the account can no longer sign in, and its sessions end (user add with a new password enables it again)')
    .action(async (email: string) => {
      const ended = await withStore((store) => disableAccount(store, email, systemClock));
      if (ended === undefined) throw new RefusedError(`no account has the address ${normaliseEmail(email)}`);
      process.stdout.write(`${normaliseEmail(email)} is disabled; ${sessions(ended)} ended\n`);
    });
}

function sessions(n: number): string {
  return n === 1 ? '1 session' : `${n} sessions`;
}
