// The audience's public routes: the subscribe form's target, and the links of
// every mail (confirm, unsubscribe, preferences). GET shows a page and never
// changes anything, because mail security scanners open every link; state
// changes only on POST: the page's button, or the mailbox provider's RFC 8058
// one-click POST (`List-Unsubscribe=One-Click`, no cookie, no page).
// The subscribe form is public, yet it mails whatever address it is given, so
// it is guarded twice. CSRF: the form carries a double-submit token (guard.ts:
// an HMAC of a random value held in a signed, httpOnly, SameSite=Lax cookie,
// set when the archive page is shown). The public has no session to tie a
// token to, and a token merely signed with an expiry would not do: another
// site could fetch a fresh one and post it from its visitors' browsers. With
// the cookie, another site can neither read the value nor make the browser
// send it on a cross-site POST. The preferences form needs no cookie: its
// token is tied to the link (audience/preferences-link.ts), and a post the
// browser marks as another site's is refused. Throttle (subscribe-throttle.ts): posts per
// client, and one mail per address and publication within an interval, with
// the same answer whether a mail went out or not.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../app.ts';
import { audienceDeps, type AudienceDeps } from '../../audience/deps.ts';
import { mailerOf } from '../../delivery/mail-stack.ts';
import { subscribe } from '../../audience/subscribe.ts';
import { confirmSubscription, inspectConfirmation } from '../../audience/confirm.ts';
import { inspectUnsubscribe, unsubscribeByToken } from '../../audience/unsubscribe.ts';
import { loadPreferences, savePreferences, type PreferencesResult } from '../../audience/preferences.ts';
import { isPreferencesFormToken, mailFreshPreferencesLink, preferencesFormToken } from '../../audience/preferences-link.ts';
import { audienceStrings, fill, typesetStrings } from '../../audience/strings.ts';
import { publicationUrl } from '../../render/urls.ts';
import type { Language } from '../../edition/publication.ts';
import type { Config } from '../../config.ts';
import { parseAddress } from '../../audience/address.ts';
import { publicationBySlug, type PublicationRef } from '../../audience/publication-ref.ts';
import { csrfToken, CSRF_FIELD, verifyCsrf } from '../auth/guard.ts';
import { siteStrings } from '../pages/public-strings.ts';
import { SubscribeThrottle } from '../subscribe-throttle.ts';
import { WebError } from '../errors.ts';
import {
  checkInboxPage,
  confirmPage,
  invalidAddressPage,
  messagePage,
  preferencesExpiredPage,
  preferencesPage,
  unsubscribePage,
  type PreferencesPageOptions,
} from '../pages/audience-pages.ts';

type TokenRequest = FastifyRequest<{ Params: { token: string } }>;

function html(reply: FastifyReply, status: number, body: string): FastifyReply {
  // Pages reached by a personal link: never cached, never indexed.
  return reply.code(status).header('Cache-Control', 'no-store').header('X-Robots-Tag', 'noindex').type('text/html; charset=utf-8').send(body);
}

/** The page language when the token names no publication: the reader's, French by default. */
function languageOf(request: FastifyRequest): Language {
  const accept = String(request.headers['accept-language'] ?? '');
  return /^\s*en\b/i.test(accept) ? 'en' : 'fr';
}

function bodyField(request: FastifyRequest, name: string): string | undefined {
  const body = request.body as Record<string, unknown> | string | undefined;
  if (!body || typeof body !== 'object') return undefined;
  const v = body[name];
  return typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined;
}

/** True for the RFC 8058 one-click body, url-encoded or multipart. */
function isOneClick(request: FastifyRequest): boolean {
  if (bodyField(request, 'List-Unsubscribe') === 'One-Click') return true;
  return typeof request.body === 'string' && /name="List-Unsubscribe"\s+One-Click/.test(request.body.replace(/\r\n/g, '\n').replace(/\n+/g, ' '));
}

/**
 * True for a post another site made the browser send: Sec-Fetch-Site says so
 * (same-site too: a sibling host is not us), or an Origin that is neither
 * PUBLIC_URL's nor the request's own. Clients that send neither (mail
 * programs' one-click, curl) are judged by the form token alone.
 */
function isCrossSite(request: FastifyRequest, publicUrl: string): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return true;
  const origin = request.headers.origin;
  if (origin === undefined) return false;
  return origin !== new URL(publicUrl).origin && origin !== `${request.protocol}://${request.host}`;
}

function invalidLink(request: FastifyRequest, reply: FastifyReply, reason: 'invalid' | 'expired', language?: Language) {
  const lang = language ?? languageOf(request);
  const s = audienceStrings(lang);
  return html(reply, reason === 'expired' ? 410 : 400, messagePage(lang, s.invalidLinkTitle, reason === 'expired' ? s.expiredLink : s.invalidLink));
}

function register(app: FastifyInstance, a: AudienceDeps, config: Config, throttle: SubscribeThrottle): void {
  // RFC 8058 allows the one-click POST as multipart/form-data; only its text matters here.
  app.addContentTypeParser('multipart/form-data', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_req, body, done) => done(null, body));

  app.post<{ Params: { slug: string } }>('/:slug/subscribe', async (request, reply) => {
    const slug = request.params.slug;
    const email = bodyField(request, 'email') ?? '';
    const formAgain = async (status: number, problem: (language: Language) => string | undefined) => {
      const publication = await publicationBySlug(a.store, slug);
      if (!publication) return reply.callNotFound();
      const csrf = { field: CSRF_FIELD, token: csrfToken(request, reply, config) };
      return html(reply, status, invalidAddressPage(publication.language, `/${publication.slug}/subscribe`, email, csrf, problem(publication.language)));
    };
    if (!throttle.allowClient(request.ip)) return formAgain(429, (language) => siteStrings(language).tooManyRequests);
    try {
      verifyCsrf(request, config);
    } catch (err) {
      if (!(err instanceof WebError)) throw err;
      // The form again with a fresh token: a reader whose page was stale sends it once more.
      return formAgain(403, (language) => siteStrings(language).formExpired);
    }

    const parsed = parseAddress(email);
    const hash = parsed.ok ? a.keys.addressHash(parsed.address) : undefined;
    if (hash !== undefined && !throttle.takeMail(slug, hash)) {
      // A mail went to this address within the interval: the same answer as when one goes out now.
      const publication = await publicationBySlug(a.store, slug);
      if (!publication) return reply.callNotFound();
      return html(reply, 200, checkInboxPage(publication.language, publication.name));
    }
    let result: Awaited<ReturnType<typeof subscribe>>;
    try {
      result = await subscribe(a, { publicationSlug: slug, email, name: bodyField(request, 'name'), ip: request.ip, method: 'form' });
    } catch (err) {
      if (hash !== undefined) throttle.releaseMail(slug, hash);
      throw err;
    }
    if (result.status !== 'accepted' && hash !== undefined) throttle.releaseMail(slug, hash);
    if (result.status === 'unknown-publication') return reply.callNotFound();
    const { language, name } = result.publication;
    if (result.status === 'invalid-address') return formAgain(400, () => undefined);
    return html(reply, 200, checkInboxPage(language, name));
  });

  app.get('/confirm/:token', async (request: TokenRequest, reply) => {
    const r = await inspectConfirmation(a, request.params.token);
    if (r.status === 'invalid' || r.status === 'expired' || !r.publication) return invalidLink(request, reply, r.status === 'invalid' ? 'invalid' : 'expired', r.publication?.language);
    const { language, name } = r.publication;
    const s = audienceStrings(language);
    if (r.status === 'already-confirmed') return html(reply, 200, messagePage(language, s.confirmTitle, fill(s.alreadyConfirmed, { name })));
    return html(reply, 200, confirmPage(language, name, `/confirm/${request.params.token}`));
  });

  app.post('/confirm/:token', async (request: TokenRequest, reply) => {
    const r = await confirmSubscription(a, request.params.token, { ip: request.ip });
    if (r.status === 'invalid' || r.status === 'expired' || !r.publication) return invalidLink(request, reply, r.status === 'invalid' ? 'invalid' : 'expired', r.publication?.language);
    const { language, name } = r.publication;
    const s = audienceStrings(language);
    const text = fill(r.status === 'confirmed' ? s.confirmed : s.alreadyConfirmed, { name });
    return html(reply, 200, messagePage(language, s.confirmTitle, text));
  });

  app.get('/unsubscribe/:token', async (request: TokenRequest, reply) => {
    const r = await inspectUnsubscribe(a, request.params.token);
    if (r.status === 'invalid') return invalidLink(request, reply, 'invalid');
    const { language, name, slug } = r.publication;
    const s = audienceStrings(language);
    if (r.status === 'already-unsubscribed') return html(reply, 200, messagePage(language, s.unsubscribeTitle, fill(s.unsubscribed, { name })));
    return html(reply, 200, unsubscribePage(language, name, `/unsubscribe/${request.params.token}`, publicationUrl(a.publicUrl, slug), r.preferencesUrl));
  });

  app.post('/unsubscribe/:token', async (request: TokenRequest, reply) => {
    const r = await unsubscribeByToken(a, request.params.token, { method: isOneClick(request) ? 'one-click' : 'link', ip: request.ip });
    if (r.status === 'invalid') return invalidLink(request, reply, 'invalid');
    const { language, name } = r.publication;
    const s = audienceStrings(language);
    return html(reply, 200, messagePage(language, s.unsubscribeTitle, fill(s.unsubscribed, { name })));
  });

  // The preferences link: its form carries a token tied to the link, and a
  // post another site makes a browser send (Sec-Fetch-Site, Origin) is refused.
  const formCsrf = (token: string) => ({ field: CSRF_FIELD, token: preferencesFormToken(a.keys, token) });
  const mayMail = (publication: PublicationRef, emailHash: string) => throttle.takeMail(publication.slug, emailHash);
  const postedFromItsPage = (request: TokenRequest) =>
    !isCrossSite(request, config.publicUrl) && isPreferencesFormToken(a.keys, request.params.token, bodyField(request, CSRF_FIELD));
  const preferencesAnswer = (request: TokenRequest, reply: FastifyReply, view: PreferencesResult, options: PreferencesPageOptions = {}) => {
    const token = request.params.token;
    if (view.status === 'invalid') return invalidLink(request, reply, 'invalid');
    // Expired: never a dead end; the page offers a fresh link by mail.
    if (view.status === 'expired') return html(reply, 200, preferencesExpiredPage(view.publication.language, `/preferences/${token}/renew`, formCsrf(token)));
    return html(reply, options.problem ? 403 : 200, preferencesPage(view.publication.language, view, `/preferences/${token}`, { ...options, csrf: formCsrf(token) }));
  };

  app.get('/preferences/:token', async (request: TokenRequest, reply) => preferencesAnswer(request, reply, await loadPreferences(a, request.params.token)));

  app.post('/preferences/:token', async (request: TokenRequest, reply) => {
    if (!postedFromItsPage(request)) {
      const view = await loadPreferences(a, request.params.token);
      const language = view.status === 'invalid' ? languageOf(request) : view.publication.language;
      return preferencesAnswer(request, reply, view, { problem: typesetStrings(language).preferencesFormRefused });
    }
    const body = (typeof request.body === 'object' && request.body ? request.body : {}) as Record<string, unknown>;
    const raw = body.publication;
    const ids = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map((v) => Number(v)).filter((n) => Number.isSafeInteger(n));
    const change = { name: bodyField(request, 'name') ?? null, publicationIds: ids, ip: request.ip, mayMail };
    return preferencesAnswer(request, reply, await savePreferences(a, request.params.token, change), { saved: true });
  });

  app.post('/preferences/:token/renew', async (request: TokenRequest, reply) => {
    if (!postedFromItsPage(request)) return preferencesAnswer(request, reply, await loadPreferences(a, request.params.token));
    const r = await mailFreshPreferencesLink(a, request.params.token, { mayMail });
    if (r.status !== 'sent') return invalidLink(request, reply, 'invalid');
    const s = typesetStrings(r.publication.language);
    return html(reply, 200, messagePage(r.publication.language, s.preferencesTitle, s.freshLinkSent));
  });
}

/** POST /:slug/subscribe, GET/POST /confirm/:token, /unsubscribe/:token, /preferences/:token */
export const routes: RoutePlugin = async (app, deps) => {
  // Mails leave through the process's one transport, as a send's messages do (delivery/mail-stack.ts).
  const a = audienceDeps(deps.config, deps.store, { clock: deps.clock, mailer: mailerOf(deps.config, deps.transport, deps.clock) });
  const throttle = new SubscribeThrottle(deps.clock);
  // Encapsulated, so that the multipart parser applies to these routes only.
  await app.register(async (scope) => register(scope, a, deps.config, throttle));
};
