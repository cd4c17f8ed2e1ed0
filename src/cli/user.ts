// `matinale user add EMAIL --role author|editor|admin [--name NAME]
// [--publication SLUG…] [--password-stdin]`: a newsroom account that can sign
// in to the dashboard. The password comes from stdin (never from argv, where
// other users of the machine could read it), or is generated and printed once.
// A new password ends the account's sessions.
// `matinale user sign-out EMAIL`: ends every session of the account.
// `matinale user disable EMAIL`: the account can no longer sign in, and its sessions end.
// `matinale user key EMAIL --key FILE`: the person's OpenPGP public key, for tips.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { withStore } from './context.ts';
import { normaliseEmail } from '../store/people.ts';
import { addAccount, disableAccount, signOutEverywhere } from '../web/auth/accounts.ts';
import { systemClock } from '../clock.ts';
import { ROLES, type Role } from '../edition/publication.ts';
import { RefusedError, UsageError } from './usage-error.ts';
import { checkMemberKey, KeyRefusedError } from '../tips/member-key.ts';
import { setPersonKey } from '../store/people.ts';

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

/** Registers `matinale user add`, `user sign-out`, `user disable` and `user key`. */
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
  registerKey(user);
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

/** `user key EMAIL --key FILE`: checks the key (expired, revoked, weak keys are refused) and stores its public part. */
function registerKey(user: Command): void {
  user
    .command('key <email>')
    .description('set the OpenPGP public key tips are encrypted to for this person (gpg --armor --export)')
    .requiredOption('--key <file>', 'the ASCII-armoured public key')
    .action(async (email: string, opts: { key: string }) => {
      let armored: string;
      try {
        armored = readFileSync(opts.key, 'utf8');
      } catch (err) {
        throw new RefusedError(`${opts.key}: ${(err as Error).message}`);
      }
      let checked;
      try {
        checked = await checkMemberKey(armored, new Date(systemClock.now()));
      } catch (err) {
        if (err instanceof KeyRefusedError) throw new RefusedError(`${opts.key}: ${err.message}`);
        throw err;
      }
      const set = await withStore((store) => setPersonKey(store, email, checked.armored));
      if (!set) throw new RefusedError(`nobody of the newsroom has the address ${normaliseEmail(email)}`);
      const expires = checked.expires ? `, expires ${checked.expires.toISOString().slice(0, 10)}` : '';
      process.stdout.write(`${normaliseEmail(email)}: key ${checked.fingerprint}${expires}\n`);
    });
}

function sessions(n: number): string {
  return n === 1 ? '1 session' : `${n} sessions`;
}
