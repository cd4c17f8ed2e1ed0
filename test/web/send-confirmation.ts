// The confirmation a send to the list needs, as a browser gets it: the
// confirmation page of the edition, and the signed token in its form.
import type { LightMyRequestResponse } from 'fastify';
import type { Visitor } from './harness.ts';

/** The token of the confirmation form in a page, or undefined. */
export function confirmationIn(page: string): string | undefined {
  return /name="confirmation" value="([^"]+)"/.exec(page)?.[1];
}

/** Opens the confirmation page of a list send (now, or `at` a wall-clock time) and returns it with its token. */
export async function confirmSend(v: Visitor, editionId: number, at?: string): Promise<{ page: LightMyRequestResponse; token: string | undefined }> {
  const query = at ? `?when=at&at=${encodeURIComponent(at)}` : '?when=now';
  const page = await v.get(`/newsroom/editions/${editionId}/send/confirm${query}`);
  return { page, token: confirmationIn(page.body) };
}

/** Confirms and sends an edition to its list (now, or at `at`), as the confirmation page's button does. */
export async function sendToList(v: Visitor, editionId: number, at?: string): Promise<LightMyRequestResponse> {
  const { token } = await confirmSend(v, editionId, at);
  return v.post(`/newsroom/editions/${editionId}/send`, { kind: 'list', confirmation: token ?? '' });
}
