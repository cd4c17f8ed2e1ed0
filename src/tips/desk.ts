// The tips desk of a publication: the team members every tip is encrypted
// to. Named in the settings (`tipsDesk`, addresses of team members), or by
// default every editor and admin. A member counts only with a key that can
// encrypt today (member-key.ts): a desk without one means tips are closed,
// rather than accepting tips nobody could read.
import type { PublicKey } from 'openpgp';
import type { Publication } from '../edition/publication.ts';
import type { Store } from '../store/db.ts';
import { normaliseEmail, teamOf } from '../store/people.ts';
import { checkMemberKey } from './member-key.ts';

export interface DeskMember {
  name: string;
  email: string;
  /** Spaced fingerprint, or undefined when the member has no usable key. */
  fingerprint?: string;
  /** Why their key cannot be used, when they have one. */
  keyProblem?: string;
  key?: PublicKey;
}

/** The desk's members, with their keys checked at `now`. */
export async function deskMembers(store: Store, publicationId: number, settings: Publication, now: Date): Promise<DeskMember[]> {
  const named = settings.tipsDesk ? new Set(settings.tipsDesk.map(normaliseEmail)) : undefined;
  const team = (await teamOf(store, publicationId)).filter((m) => (named ? named.has(m.email) : m.role === 'editor' || m.role === 'admin'));
  const out: DeskMember[] = [];
  for (const m of team) {
    if (!m.pgpKey) {
      out.push({ name: m.name, email: m.email });
      continue;
    }
    try {
      const checked = await checkMemberKey(m.pgpKey, now);
      out.push({ name: m.name, email: m.email, fingerprint: checked.fingerprint, key: checked.key });
    } catch (err) {
      out.push({ name: m.name, email: m.email, keyProblem: (err as Error).message });
    }
  }
  return out;
}

/** The keys tips are encrypted to; empty means the tip line is closed. */
export async function deskKeys(store: Store, publicationId: number, settings: Publication, now: Date): Promise<PublicKey[]> {
  return (await deskMembers(store, publicationId, settings, now)).flatMap((m) => (m.key ? [m.key] : []));
}
