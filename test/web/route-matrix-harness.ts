// What every line of the route matrix (route-matrix.test.ts) is made of: who
// tries an action (the actors), what each must get (the outcomes, and the
// usual rows of them), the world a try runs in, and the action itself. Also
// what several parts of the matrix read of an edition, and the dates of the
// editions a try makes.
import type { LightMyRequestResponse } from 'fastify';
import { sampleSource, type Newsroom, type Visitor } from './harness.ts';
import { getEdition, listVersions } from '../../src/store/editions.ts';

export const ACTORS = ['nobody', 'author', 'editor', 'admin', 'otherEditor'] as const;
export type Actor = (typeof ACTORS)[number];

/**
 * ok: done (2xx, or a redirect that is not to the sign-in page), and for a
 * list, the publication's data is in it; absent: a list without it;
 * sign-in: 401, or the sign-in page for a dashboard GET; forbidden: 403 in
 * the newsroom's navigation; hidden: 404, the same answer as for no such data.
 */
export type Outcome = 'ok' | 'absent' | 'sign-in' | 'forbidden' | 'hidden';

export const P_EDITOR = { email: 'editor.p@example.org', password: 'p-editor-password-1' };
export const P_ADMIN = { email: 'admin.p@example.org', password: 'p-admin-password-1' };

export type EditionStatus = 'draft' | 'ready' | 'approved';
/** A visitor who signed in as a person (or, for nobody, a made-up address). */
export type Member = Visitor & { email: string };

export interface World {
  n: Newsroom;
  /** A new edition of Tech Matin in that status, for one try of a write. */
  freshEdition(status: EditionStatus): Promise<number>;
  /** A new edition of Tech Matin scheduled to go out tomorrow. */
  scheduledEdition(): Promise<number>;
  /** A new test send of Tech Matin in that status (no worker runs it). */
  freshSend(status: 'running' | 'paused'): Promise<number>;
  /** The outbox file of a message of a Tech Matin send. */
  outboxFile: string;
  /** A new tip for Tech Matin, with one part. */
  freshTip(): Promise<number>;
  /** An armoured public key any member may set as theirs. */
  publicKey: string;
}

export interface Action {
  expect: Record<Actor, Outcome>;
  /** Sends the request; `target` is what `prepare` made. */
  send(v: Member, w: World, target: number): Promise<LightMyRequestResponse>;
  /** Fresh data for one try (an edition id); defaults to Tech Matin's approved edition. */
  prepare?(w: World): Promise<number>;
  /** The same request for data that does not exist: a `hidden` refusal must answer exactly this. */
  missing?(v: Member, w: World): Promise<LightMyRequestResponse>;
  /** For a list: whether the answer holds the publication's data. */
  shows?(res: LightMyRequestResponse, w: World): boolean;
  /** What the action changes: read before and after; `ok` changes it, a refusal does not. */
  effect?(w: World, target: number): Promise<unknown>;
}

/** The matrix's lines: for each route (method and path), its actions, or why it is open to anyone. */
export type MatrixLines = Record<string, Record<string, Action> | { open: string }>;

export const MEMBERS_READ: Record<Actor, Outcome> = { nobody: 'sign-in', author: 'ok', editor: 'ok', admin: 'ok', otherEditor: 'hidden' };
export const MEMBERS_LIST: Record<Actor, Outcome> = { nobody: 'sign-in', author: 'ok', editor: 'ok', admin: 'ok', otherEditor: 'absent' };
export const EDITORS_ONLY: Record<Actor, Outcome> = { nobody: 'sign-in', author: 'forbidden', editor: 'ok', admin: 'ok', otherEditor: 'hidden' };
export const ADMINS_ONLY: Record<Actor, Outcome> = { nobody: 'sign-in', author: 'forbidden', editor: 'forbidden', admin: 'ok', otherEditor: 'hidden' };
/** What belongs to no publication (a new one, the relays): the admins of any publication, a 403 for every other member. */
export const NEWSROOM_ADMINS: Record<Actor, Outcome> = { nobody: 'sign-in', author: 'forbidden', editor: 'forbidden', admin: 'ok', otherEditor: 'forbidden' };
/** What is each member's own (their key, their account): any member, of any publication. */
export const ANY_MEMBER: Record<Actor, Outcome> = { nobody: 'sign-in', author: 'ok', editor: 'ok', admin: 'ok', otherEditor: 'ok' };

/** An edition's status and how many versions it has: what a save, a restore or a move changes. */
export const editionState = async (w: World, id: number) => {
  const e = await getEdition(w.n.store, id);
  return { status: e?.status, versions: (await listVersions(w.n.store, id)).length };
};
/** Tech Matin's sample edition, dated `date`. */
export const source = (date: string) => sampleSource('tech-matin').replace('date: 2026-03-02', `date: ${date}`);

/** The date `day` days after 2026-06-01: each try's edition gets a date of its own. */
export function dateOf(day: number): string {
  return new Date(Date.parse('2026-06-01T00:00:00Z') + day * 86_400_000).toISOString().slice(0, 10);
}
