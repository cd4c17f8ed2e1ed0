// The editorial workflow of an edition, as data and one pure decision: which
// moves exist, from which states, and who may make them. It lives beside the
// edition because it depends on nothing but the edition's statuses and the
// team's roles (publication.ts): no database, no clock. The store's guarded
// update (store/editions.ts) asks `checkMove` inside its transaction, so the
// rule is written once and applied where the row is locked.
//
//   draft ──author──▶ ready ──editor──▶ approved ──▶ scheduled ──▶ sending ──▶ sent
//     ▲                 │                  │             │
//     └─────editor──────┴──────────────────┴─────────────┘   (back to draft, before sending)
//
// Scheduled, sending and sent are reached only by the platform (`system`).
//
// Saving a new version of an approved or scheduled edition sends it back to
// ready: what was approved is no longer what would go out.
import type { Role } from './publication.ts';

export const EDITION_STATUSES = ['draft', 'ready', 'approved', 'scheduled', 'sending', 'sent'] as const;
/** Where an edition is in the workflow (CONTEXT.md: edition status). */
export type EditionStatus = (typeof EDITION_STATUSES)[number];

/** Who moves an edition: a team member (by address; the role comes from the store) or the platform itself. */
export type Actor = { kind: 'person'; email: string } | { kind: 'system'; name: string };

/** The role an actor acts with: a team role, or `system` for the scheduler and the delivery. */
export type ActorRole = Role | 'system';

export interface TransitionRule {
  from: readonly EditionStatus[];
  to: EditionStatus;
  roles: readonly ActorRole[];
}

const EDITORS: readonly ActorRole[] = ['editor', 'admin'];

/** Every move an edition can make on request. */
export const TRANSITIONS: readonly TransitionRule[] = [
  { from: ['draft'], to: 'ready', roles: ['author', 'editor', 'admin'] },
  { from: ['ready'], to: 'approved', roles: EDITORS },
  // Scheduled, sending and sent say that a send exists and where it is: only
  // the delivery, which creates and runs that send, may say so. An edition a
  // person moved there had no send behind it and stayed stuck (people schedule
  // or start a send with `matinale send`, which makes these moves itself).
  { from: ['approved'], to: 'scheduled', roles: ['system'] },
  // Unscheduling (a send cancelled before it started) keeps the approval.
  { from: ['scheduled'], to: 'approved', roles: [...EDITORS, 'system'] },
  { from: ['scheduled'], to: 'sending', roles: ['system'] },
  { from: ['sending'], to: 'sent', roles: ['system'] },
  { from: ['ready', 'approved', 'scheduled'], to: 'draft', roles: EDITORS },
];

/** True when only the platform itself (`system`: scheduler, delivery) may move an edition to `to`, from any state. */
export function onlySystemReaches(to: EditionStatus): boolean {
  const rules = TRANSITIONS.filter((r) => r.to === to);
  return rules.length > 0 && rules.every((r) => r.roles.every((role) => role === 'system'));
}

/** States in which saving a new version is refused: the edition is going or gone out. */
export const LOCKED_STATUSES: readonly EditionStatus[] = ['sending', 'sent'];

/** States that a new version sends back to `ready`. */
export const REAPPROVE_STATUSES: readonly EditionStatus[] = ['approved', 'scheduled'];

/** The rule for moving from `from` to `to`, if that move exists. */
export function ruleFor(from: EditionStatus, to: EditionStatus): TransitionRule | undefined {
  return TRANSITIONS.find((r) => r.to === to && r.from.includes(from));
}

/** The states from which `to` can be reached at all. */
export function statesLeadingTo(to: EditionStatus): EditionStatus[] {
  return TRANSITIONS.filter((r) => r.to === to).flatMap((r) => r.from);
}

/** How an actor is written in the transition history and the audit log. */
export function actorName(actor: Actor): string {
  return actor.kind === 'person' ? actor.email.trim().toLowerCase() : `system:${actor.name}`;
}

export const WORKFLOW_ERROR_CODES = {
  'edition-not-found': 'no such edition',
  'wrong-state': 'the edition is not in a state this move starts from',
  'no-such-transition': 'the workflow has no such move',
  'not-a-member': 'the person is not on the publication team',
  'role-not-allowed': 'the actor’s role may not make this move',
  'edition-locked': 'the edition is being sent or was sent: it can no longer change',
  'version-conflict': 'someone saved a newer version than the one this change started from',
  'approval-outdated': 'the version reviewed is no longer the edition’s latest',
} as const;

export type WorkflowErrorCode = keyof typeof WORKFLOW_ERROR_CODES;

/** A refused workflow step: what was asked, in what state the edition was, and why not. */
export class WorkflowError extends Error {
  override readonly name = 'WorkflowError';
  constructor(
    readonly code: WorkflowErrorCode,
    readonly details: {
      editionId: number;
      current?: EditionStatus;
      requested?: EditionStatus;
      actor?: string;
      role?: ActorRole;
      /** For `version-conflict` and `approval-outdated`: the version the change or review started from, and the latest. */
      baseVersion?: number;
      latestVersion?: number;
    },
    message: string,
  ) {
    super(message);
  }
}

/** The move asked for: an edition in state `from`, by `actor` (written `who`) acting with `role` (undefined: not on the team). */
export interface MoveRequest {
  editionId: number;
  from: EditionStatus;
  to: EditionStatus;
  actor: Actor;
  role: ActorRole | undefined;
}

/**
 * The workflow's answer to a move: nothing when it is allowed, otherwise the
 * WorkflowError that says why not, checked in this order: a state only the
 * platform reaches asked by a person, a move that does not exist from this
 * state, an actor off the team, a role the move does not take.
 */
export function checkMove(move: MoveRequest): WorkflowError | undefined {
  const { editionId, from, to, actor, role } = move;
  const who = actorName(actor);
  // Asked by a person, these states would claim a send that does not exist
  // (and the edition would wait for it forever): said so whatever the state.
  if (actor.kind === 'person' && onlySystemReaches(to)) {
    return new WorkflowError(
      'role-not-allowed',
      { editionId, current: from, requested: to, actor: who },
      `edition ${editionId} cannot be moved to ${to} by hand: only the delivery moves an edition to scheduled, sending or sent, ` +
        `when a send is scheduled or started (\`matinale send ${editionId} --at TIME\` or \`--now\`)`,
    );
  }
  const rule = ruleFor(from, to);
  if (!rule) {
    const starts = statesLeadingTo(to);
    if (starts.length === 0) {
      return new WorkflowError('no-such-transition', { editionId, current: from, requested: to, actor: who }, `an edition cannot be moved to ${to} on request`);
    }
    return new WorkflowError(
      'wrong-state',
      { editionId, current: from, requested: to, actor: who },
      `edition ${editionId} is ${from}: it can move to ${to} only from ${starts.join(' or ')}`,
    );
  }
  if (!role) {
    return new WorkflowError('not-a-member', { editionId, current: from, requested: to, actor: who }, `${who} is not on the team of this edition's publication`);
  }
  if (!rule.roles.includes(role)) {
    return new WorkflowError(
      'role-not-allowed',
      { editionId, current: from, requested: to, actor: who, role },
      `${who} is ${articleFor(role)} ${role}: moving an edition from ${from} to ${to} takes ${rule.roles.map((r) => articleFor(r) + ' ' + r).join(' or ')}`,
    );
  }
  return undefined;
}

function articleFor(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

// Versions: a change is made from the version a person was looking at, and
// applies only while that version is still the latest. Nobody's save lands on
// top of a version they never saw, and nobody approves a version they never saw.

/** The refusal of a save whose text started from `base` while the edition is at `latest`: the other person's change is never overwritten. */
export function versionConflict(editionId: number, base: number, latest: number): WorkflowError {
  return new WorkflowError(
    'version-conflict',
    { editionId, baseVersion: base, latestVersion: latest },
    `edition ${editionId} is at version ${latest}, saved since version ${base} this change started from: nothing was saved; compare and save again`,
  );
}

/** The refusal of an approval of version `reviewed` while the edition is at `latest`: an approval is of the version seen. */
export function approvalOutdated(editionId: number, reviewed: number, latest: number): WorkflowError {
  return new WorkflowError(
    'approval-outdated',
    { editionId, baseVersion: reviewed, latestVersion: latest, requested: 'approved' },
    `edition ${editionId} is at version ${latest}, saved after version ${reviewed} that was reviewed: look at the changes, then approve version ${latest}`,
  );
}

/**
 * True when versions were saved after the edition was marked ready (at
 * `readyVersion`): approving it then takes a second look at those changes.
 * Unknown (a move recorded before versions were kept with moves): no.
 */
export function changedSinceReady(readyVersion: number | null | undefined, latest: number): boolean {
  return readyVersion !== null && readyVersion !== undefined && latest > readyVersion;
}
