// The one registry of the web's error codes (Fastify's own habit): each code
// has its message and HTTP status here, and routes throw `WebError(code)`.
// Services below the edge throw their own typed errors; `toWebError` maps the
// ones the web knows, so that HTTP statuses exist only at this edge.

import { SendRefused } from '../delivery/send-rules.ts';
import { TestSendRefused } from '../delivery/test-send-rules.ts';
import { SendControlRefused } from '../delivery/send-controls.ts';
import { PreviewSuperseded, PreviewTimedOut } from './preview-runner.ts';

export const WEB_ERRORS = {
  'not-found': { status: 404, message: 'Not found' },
  unauthenticated: { status: 401, message: 'Sign in first' },
  forbidden: { status: 403, message: 'Your role does not allow this' },
  'csrf-refused': { status: 403, message: 'The form expired or did not come from this site; reload the page and try again' },
  'invalid-input': { status: 400, message: 'The request is not valid' },
  'bad-credentials': { status: 401, message: 'Unknown address or wrong password' },
  'too-many-attempts': { status: 429, message: 'Too many failed sign-ins; wait a quarter of an hour and try again' },
  'transition-refused': { status: 409, message: 'This edition cannot move to that status from its current one' },
  conflict: { status: 409, message: 'The edition changed meanwhile; reload it' },
  'send-refused': { status: 409, message: 'This send cannot be made' },
  superseded: { status: 409, message: 'A newer preview of this edition replaced this one' },
  'too-many-tests': { status: 429, message: 'Too many test messages in the last hour' },
  'edition-invalid': { status: 422, message: 'The edition has errors' },
  'too-large': { status: 413, message: 'The file is too large' },
  internal: { status: 500, message: 'Something went wrong on our side' },
} as const satisfies Record<string, { status: number; message: string }>;

export type WebErrorCode = keyof typeof WEB_ERRORS;

/** An error a route raises; the app's error handler turns it into a status and a body. */
export class WebError extends Error {
  readonly status: number;
  constructor(
    readonly code: WebErrorCode,
    /** A more precise message for the person (defaults to the registry's). */
    detail?: string,
    /** Extra data for API callers (diagnostics…). */
    readonly data?: Record<string, unknown>,
  ) {
    super(detail ?? WEB_ERRORS[code].message);
    this.status = WEB_ERRORS[code].status;
  }
}

/** How the store's workflow refusals read at the edge. */
const WORKFLOW_STATUS: Record<string, WebErrorCode> = {
  'edition-not-found': 'not-found',
  'wrong-state': 'transition-refused',
  'no-such-transition': 'transition-refused',
  'edition-locked': 'transition-refused',
  'not-a-member': 'forbidden',
  'role-not-allowed': 'forbidden',
  'version-conflict': 'conflict',
  'approval-outdated': 'conflict',
};

/** Maps any thrown value to a WebError: known service errors by their code or name, the rest to `internal`. */
export function toWebError(err: unknown): WebError {
  if (err instanceof WebError) return err;
  const e = err as { code?: unknown; name?: unknown; message?: unknown; statusCode?: unknown; validation?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  const name = typeof e?.name === 'string' ? e.name : '';
  const message = typeof e?.message === 'string' ? e.message : undefined;
  // Workflow errors (edition/workflow.ts): refused by role, or by the edition's state.
  if (name === 'WorkflowError' || Object.hasOwn(WORKFLOW_STATUS, code)) {
    const mapped = WORKFLOW_STATUS[code];
    if (mapped) return new WebError(mapped, message, { reason: code });
  }
  // Previews (preview-runner.ts): replaced by a newer one of the same person and edition, or too slow for its source.
  if (err instanceof PreviewSuperseded) return new WebError('superseded');
  if (err instanceof PreviewTimedOut) return new WebError('invalid-input', err.message);
  // A test send's rules (delivery/test-send-rules.ts): a bad address, an author mailing outside the team, the hourly limit.
  if (err instanceof TestSendRefused) {
    const mapped: WebErrorCode = err.code === 'hourly-limit' ? 'too-many-tests' : err.code === 'outside-team' ? 'forbidden' : 'invalid-input';
    return new WebError(mapped, err.message, { reason: err.code });
  }
  // Delivery's refusals (delivery/send-rules.ts SendRefused): not approved, already sent, no address…
  if (err instanceof SendRefused) return new WebError(code.endsWith('not-found') ? 'not-found' : 'send-refused', message, { reason: code });
  // The newsroom's hand on a send (delivery/send-controls.ts): a pause of a paused send, nothing to unschedule…
  if (err instanceof SendControlRefused) return new WebError(code === 'send-not-found' ? 'not-found' : 'send-refused', message, { reason: code });
  if (/not[-_]?found/i.test(code)) return new WebError('not-found', message);
  // Fastify's own client errors (bad JSON, body too large, schema validation).
  if (e?.validation || (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500)) {
    return new WebError('invalid-input', message);
  }
  return new WebError('internal');
}
