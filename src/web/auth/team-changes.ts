// An admin's changes to the team, each with its audit log entry in the same
// transaction (the log never tells of a change that did not happen, nor
// misses one that did): a member's role, disabling an account, ending its sessions.
import type { Store } from '../../store/db.ts';
import type { Clock } from '../../clock.ts';
import type { Role } from '../../edition/publication.ts';
import { inTransaction } from '../../store/transaction.ts';
import { recordAudit } from '../../store/audit-log.ts';
import { changeRole } from '../../store/team.ts';
import { disableAccount, signOutEverywhere } from './accounts.ts';

/** Gives a member another role in a publication; false when they are not on its team. */
export async function changeMemberRole(store: Store, clock: Clock, actor: string, personId: number, publicationId: number, role: Role): Promise<boolean> {
  return inTransaction(store, async (tx) => {
    if (!(await changeRole(tx, personId, publicationId, role))) return false;
    await recordAudit(tx, { actor, action: 'team.role', subjectType: 'person', subjectId: personId, details: { publicationId, role } }, clock.now());
    return true;
  });
}

/** Disables the account of a person (their sessions end with it). */
export async function disableMember(store: Store, clock: Clock, actor: string, person: { id: number; email: string }): Promise<void> {
  await inTransaction(store, async (tx) => {
    const ended = await disableAccount(tx, person.email, clock);
    await recordAudit(tx, { actor, action: 'team.disable', subjectType: 'person', subjectId: person.id, details: { sessionsEnded: ended ?? 0 } }, clock.now());
  });
}

/** Ends every session of a person. */
export async function endMemberSessions(store: Store, clock: Clock, actor: string, person: { id: number; email: string }): Promise<void> {
  await inTransaction(store, async (tx) => {
    const ended = await signOutEverywhere(tx, person.email);
    await recordAudit(tx, { actor, action: 'team.sign-out', subjectType: 'person', subjectId: person.id, details: { sessionsEnded: ended ?? 0 } }, clock.now());
  });
}
