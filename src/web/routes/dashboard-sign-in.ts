// Signing in and out of the newsroom dashboard.
import type { RoutePlugin } from '../app.ts';
import { html } from '../html.ts';
import { page } from '../pages/layout.ts';
import { credentialsFor } from '../../store/accounts.ts';
import { verifyPassword } from '../auth/password.ts';
import { SignInThrottle } from '../auth/sign-in-throttle.ts';
import { sendSignInAlert, signInAlertMail } from '../auth/sign-in-alert.ts';
import { mailerOf } from '../../delivery/mail-stack.ts';
import { WEB_ERRORS } from '../errors.ts';
import { closeSession, openSession } from '../auth/sessions.ts';
import { csrfToken, CSRF_FIELD, SESSION_COOKIE, sessionToken, setSessionCookie, verifyCsrf } from '../auth/guard.ts';

// Only paths inside the dashboard: `next` must never send a person to another
// site. Printable ASCII only, as a Location header can carry it (a CR or LF
// would end the header, other characters are refused by Node).
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/newsroom(?:[/?#][\x21-\x7e]*)?$/.test(next) ? next : '/newsroom';
}

function signInPage(csrf: string, next: string, problem?: string): string {
  return page({
    title: 'Sign in — Matinale newsroom',
    lang: 'en',
    bodyClass: 'newsroom',
    body: html`<main class="narrow">
<h1>Newsroom sign-in</h1>
${problem ? html`<p class="problem" role="alert">${problem}</p>` : null}
<form method="post" action="/newsroom/sign-in">
<input type="hidden" name="${CSRF_FIELD}" value="${csrf}">
<input type="hidden" name="next" value="${next}">
<p><label for="email">Email address</label><br><input id="email" name="email" type="email" required autocomplete="username"></p>
<p><label for="password">Password</label><br><input id="password" name="password" type="password" required autocomplete="current-password"></p>
<p><button type="submit">Sign in</button></p>
</form>
</main>`,
  });
}

/** GET/POST /newsroom/sign-in, POST /newsroom/sign-out */
export const routes: RoutePlugin = (app, deps) => {
  const throttle = new SignInThrottle(deps.clock);
  // The owner's alert leaves through the process's one transport (delivery/mail-stack.ts).
  const mailer = mailerOf(deps.config, deps.transport, deps.clock);
  app.get<{ Querystring: { next?: string } }>('/newsroom/sign-in', async (request, reply) => {
    const csrf = csrfToken(request, reply, deps.config);
    return reply.type('text/html; charset=utf-8').send(signInPage(csrf, safeNext(request.query.next)));
  });

  app.post<{ Body: { email?: string; password?: string; next?: string } }>('/newsroom/sign-in', async (request, reply) => {
    verifyCsrf(request, deps.config);
    const { email, password } = request.body ?? {};
    const next = safeNext(request.body?.next);
    const address = typeof email === 'string' ? email : '';
    // Counted before the password is checked, so that parallel guesses are limited like sequential ones.
    const attempt = throttle.attempt(request.ip, address);
    if (!attempt) {
      const csrf = csrfToken(request, reply, deps.config);
      return reply.code(429).type('text/html; charset=utf-8').send(signInPage(csrf, next, WEB_ERRORS['too-many-attempts'].message + '.'));
    }
    if (attempt.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, attempt.delayMs));
    const credentials = typeof email === 'string' && email ? await credentialsFor(deps.store, email) : undefined;
    // Verify even for an unknown address, so that timing does not tell which addresses exist.
    const ok = await verifyPassword(typeof password === 'string' ? password : '', credentials?.passwordHash ?? DUMMY_HASH);
    if (!credentials || !ok) {
      if (throttle.fail(attempt) && credentials) {
        const { alertAfter, windowMs } = throttle.policy;
        sendSignInAlert(mailer, signInAlertMail(credentials.email, deps.config.publicUrl, alertAfter, Math.round(windowMs / 60_000)), request.log);
      }
      const csrf = csrfToken(request, reply, deps.config);
      return reply.code(401).type('text/html; charset=utf-8').send(signInPage(csrf, next, 'Unknown address or wrong password.'));
    }
    throttle.succeed(attempt);
    const token = await openSession(deps.store, credentials.userId, deps.clock);
    setSessionCookie(reply, deps.config, token);
    return reply.redirect(next, 303);
  });

  app.post('/newsroom/sign-out', async (request, reply) => {
    verifyCsrf(request, deps.config);
    const token = sessionToken(request);
    if (token) await closeSession(deps.store, token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/newsroom/sign-in', 303);
  });
};

// A real scrypt hash of a random password nobody knows.
const DUMMY_HASH = 'scrypt$16384$8$1$c2FsdHNhbHRzYWx0c2FsdA==$Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyMTI=';
