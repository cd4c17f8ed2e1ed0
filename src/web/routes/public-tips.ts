// The source's side of the tip line: GET /:slug/tips (the form), POST
// /:slug/tips (a tip, sealed as it streams in), POST /:slug/tips/thread (a
// receipt code: the newsroom's replies), POST /:slug/tips/add (more to a tip).
// These routes log nothing (logLevel silent: no request line, no address, no
// error text), set no cookie, are never cached, and send no referrer onwards.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../app.ts';
import { storeDesk } from '../store-desk.ts';
import { publicNotFound } from '../edge.ts';
import type { DeskPublication } from '../desk.ts';
import { codeProblemPage, receiptPage, threadPage, tipFormPage, type BrowserSealing, type TipPageContext } from '../pages/tip-pages.ts';
import { ProofOfWork } from '../tip-proof-of-work.ts';
import type { DeskMember } from '../../tips/desk.ts';
import { tipStrings } from '../pages/tip-strings.ts';
import { TipThrottle } from '../tip-throttle.ts';
import { readTipUpload, TipUploadError, type TipUpload } from '../tip-upload.ts';
import { deskMembers } from '../../tips/desk.ts';
import { addToTip, fileTip, openThread, tipDay, type TipLineDeps } from '../../tips/tip-line.ts';
import { notifyDesk } from '../../tips/notify.ts';
import { mailerOf } from '../../delivery/mail-stack.ts';
import type { Language } from '../../edition/publication.ts';

type SlugRequest = FastifyRequest<{ Params: { slug: string } }>;
const QUIET = { logLevel: 'silent' as const };

/** GET and POST /:slug/tips, POST /:slug/tips/thread, /:slug/tips/add */
export const routes: RoutePlugin = async (app, deps) => {
  const desk = storeDesk(deps.store, deps.clock);
  const throttle = new TipThrottle(deps.clock, deps.config.tipsPerHour);
  const tipLine: TipLineDeps = { store: deps.store, secret: deps.config.secret, clock: deps.clock };
  const mailer = mailerOf(deps.config, deps.transport, deps.clock);
  const work = new ProofOfWork(deps.config.secret, deps.clock);
  /** What the form's script needs to seal in the browser; none when the desk has no key. */
  const sealing = (team: DeskMember[]): BrowserSealing | undefined => {
    const keys = team.flatMap((m) => (m.key ? [m.key.armor()] : []));
    return keys.length ? { keys, challenge: work.challenge() } : undefined;
  };

  const context = (p: DeskPublication): TipPageContext => ({ slug: p.slug, name: p.name, language: p.language });
  const members = (p: DeskPublication) => deskMembers(deps.store, p.id, p.settings, new Date(deps.clock.now()));
  const send = (reply: FastifyReply, status: number, body: string) => reply.code(status).type('text/html; charset=utf-8').send(body);
  /** Reads the rest of a body we refuse, so that the browser gets the answer rather than a reset. */
  const drain = (request: FastifyRequest) => request.raw.resume();

  await app.register(async (scope) => {
    // The multipart body is left unread here: readTipUpload streams it into the encryption.
    scope.addContentTypeParser('multipart/form-data', (_request, _payload, done) => done(null));
    scope.addHook('onSend', async (_request, reply, payload) => {
      reply.header('Cache-Control', 'no-store');
      reply.header('Referrer-Policy', 'no-referrer');
      return payload;
    });

    scope.get('/:slug/tips', QUIET, async (request: SlugRequest, reply) => {
      const publication = await desk.publicationBySlug(request.params.slug);
      if (!publication) return publicNotFound(request, reply, desk);
      const team = await members(publication);
      const browser = sealing(team);
      return send(reply, 200, tipFormPage(context(publication), browser !== undefined, undefined, browser));
    });

    /** The shared start of the posts: the publication, the brake, the desk's keys. */
    async function start(request: SlugRequest, reply: FastifyReply) {
      const publication = await desk.publicationBySlug(request.params.slug);
      if (!publication) {
        drain(request);
        await publicNotFound(request, reply, desk);
        return undefined;
      }
      const c = context(publication);
      const s = tipStrings(c.language);
      if (!throttle.allow(request.ip)) {
        drain(request);
        send(reply, 429, tipFormPage(c, true, s.tooMany));
        return undefined;
      }
      const team = await members(publication);
      const keys = team.flatMap((m) => (m.key ? [m.key] : []));
      return { publication, c, s, team, keys };
    }

    async function upload(request: SlugRequest, reply: FastifyReply, keys: Parameters<typeof readTipUpload>[1], kind: 'message' | 'follow-up', c: TipPageContext) {
      const s = tipStrings(c.language);
      try {
        const got = await readTipUpload(request.raw, keys, tipDay(deps.clock.now()), kind);
        // Parts sealed in the browser come with the script's proof of work, or not at all.
        if (got.sealedInBrowser && !work.accept(got.pow ?? '')) {
          send(reply, 400, tipFormPage(c, true, s.powFailed));
          return undefined;
        }
        return got;
      } catch (err) {
        if (!(err instanceof TipUploadError)) throw err;
        drain(request);
        send(reply, err.reason === 'too-large' ? 413 : 400, tipFormPage(c, true, err.reason === 'too-large' ? s.tooLarge : s.malformed));
        return undefined;
      }
    }

    scope.post('/:slug/tips', QUIET, async (request: SlugRequest, reply) => {
      const ready = await start(request, reply);
      if (!ready) return reply;
      const { publication, c, s, team, keys } = ready;
      if (keys.length === 0) {
        drain(request);
        return send(reply, 503, tipFormPage(c, false));
      }
      const got: TipUpload | undefined = await upload(request, reply, keys, 'message', c);
      if (!got) return reply;
      if (got.parts.length === 0) return send(reply, 400, tipFormPage(c, true, s.empty));
      const code = await fileTip(tipLine, { id: publication.id, language: publication.language as Language }, got.parts);
      // Not awaited: the source's answer must not wait for, nor tell anything about, the mail.
      void notifyDesk(mailer, { name: publication.name, from: publication.settings.from }, team, `${deps.config.publicUrl}/newsroom/tips`, () =>
        app.log.warn('a tip notification could not be sent'),
      );
      return send(reply, 200, receiptPage(c, code));
    });

    scope.post('/:slug/tips/thread', QUIET, async (request: FastifyRequest<{ Params: { slug: string }; Body: { code?: unknown } }>, reply) => {
      const ready = await start(request, reply);
      if (!ready) return reply;
      const { publication, c, s, team } = ready;
      const typed = typeof request.body?.code === 'string' ? request.body.code : '';
      const view = await openThread(tipLine, { id: publication.id, language: publication.language as Language }, typed);
      if (!view.ok) return send(reply, 400, codeProblemPage(c, s.codeProblem(view.problem)));
      return send(reply, 200, threadPage(c, view.code, view.replies, undefined, sealing(team)));
    });

    scope.post('/:slug/tips/add', QUIET, async (request: SlugRequest, reply) => {
      const ready = await start(request, reply);
      if (!ready) return reply;
      const { publication, c, s, keys, team } = ready;
      if (keys.length === 0) {
        drain(request);
        return send(reply, 503, tipFormPage(c, false));
      }
      const got = await upload(request, reply, keys, 'follow-up', c);
      if (!got) return reply;
      if (got.parts.length === 0) return send(reply, 400, codeProblemPage(c, s.empty));
      const pub = { id: publication.id, language: publication.language as Language };
      const added = await addToTip(tipLine, pub, got.code ?? '', got.parts);
      if (!added.ok) return send(reply, 400, codeProblemPage(c, s.codeProblem(added.problem)));
      const view = await openThread(tipLine, pub, got.code ?? '');
      return send(reply, 200, threadPage(c, view.ok ? view.code : '', view.ok ? view.replies : [], s.addedText, sealing(team)));
    });
  });
};
