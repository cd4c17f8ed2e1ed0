// Dashboard: a publication's settings in a form (admins), a new publication
// (the newsroom's admins), and the settings file to download: the same file
// `matinale publication add` reads, the import/export format.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../app.ts';
import { storeDesk } from '../store-desk.ts';
import { csrfToken, requireAccount, requireNewsroomAdmin, requireRole, verifyCsrf } from '../auth/guard.ts';
import type { Account } from '../auth/accounts.ts';
import { WebError } from '../errors.ts';
import { newsroomPage } from '../pages/newsroom-layout.ts';
import { publicationFormPage } from '../pages/publication-form-page.ts';
import { checkFields, fieldsFromBody, fieldsFromSettings, publicationFile, type FieldErrors, type FormBody, type PublicationFields } from '../publication-form.ts';
import { pickedSchedule } from '../schedule-words.ts';
import { upsertPublication } from '../../store/publications.ts';
import type { Publication } from '../../edition/publication.ts';

/** A new publication's form: the one who creates it on its team as admin, weekdays at six. */
function blankFields(account: Account): PublicationFields {
  return {
    slug: '',
    name: '',
    language: 'en',
    timezone: 'UTC',
    scheduleMode: 'picker',
    scheduleDays: [1, 2, 3, 4, 5],
    scheduleTime: '06:00',
    schedule: '',
    from: '',
    replyTo: '',
    address: '',
    greeting: '',
    tipLine: '',
    welcome: '',
    words: '',
    lintOff: '',
    team: [{ name: account.name, email: account.email, role: 'admin' }],
  };
}

/**
 * Settings that would leave the one who saves them without the admin role of
 * the publication are refused: nobody could open this form for it again but
 * from the command line.
 */
function lockoutProblem(account: Account, fields: PublicationFields, previous: Publication | undefined): string | undefined {
  const me = account.email.toLowerCase();
  const listed = fields.team.find((m) => m.email.toLowerCase() === me);
  const listedBefore = previous?.team.some((m) => m.email.toLowerCase() === me);
  if (listed ? listed.role !== 'admin' : !previous || listedBefore) {
    return `keep yourself (${account.email}) on the team as admin, or you could no longer change these settings`;
  }
  return undefined;
}

/** GET/POST /newsroom/publications/new and /newsroom/publications/:slug/settings, GET /newsroom/publications/:slug/settings.yaml */
export const routes: RoutePlugin = (app, deps) => {
  const desk = storeDesk(deps.store, deps.clock);

  const show = (request: FastifyRequest, reply: FastifyReply, account: Account, o: { fields: PublicationFields; errors: FieldErrors; mode: 'create' | 'edit'; action: string; notice?: string }, status = 200) => {
    const csrf = csrfToken(request, reply, deps.config);
    const body = publicationFormPage({ ...o, csrf });
    const title = o.mode === 'create' ? 'New publication' : `Settings of ${o.fields.name}`;
    return reply.code(status).type('text/html; charset=utf-8').send(newsroomPage({ title, account, csrf, current: 'publications', body }));
  };

  const publicationFor = async (slug: string, account: Account, what: string) => {
    const publication = await desk.publicationBySlug(slug);
    if (!publication) throw new WebError('not-found');
    requireRole(account, publication.id, 'admin', what);
    return publication;
  };

  app.get('/newsroom/publications/new', async (request, reply) => {
    const account = await requireAccount(request, deps);
    requireNewsroomAdmin(account, 'create a publication');
    return show(request, reply, account, { fields: blankFields(account), errors: new Map(), mode: 'create', action: '/newsroom/publications/new' });
  });

  app.post<{ Body: FormBody }>('/newsroom/publications/new', async (request, reply) => {
    const account = await requireAccount(request, deps);
    verifyCsrf(request, deps.config);
    requireNewsroomAdmin(account, 'create a publication');
    const fields = fieldsFromBody(request.body ?? {});
    const { publication, errors } = checkFields(fields);
    if (fields.slug && (await desk.publicationBySlug(fields.slug))) errors.set('slug', [`a publication ${fields.slug} exists already: choose another slug`]);
    const lockout = lockoutProblem(account, fields, undefined);
    if (lockout) errors.set('team', [...(errors.get('team') ?? []), lockout]);
    if (!publication || errors.size) return show(request, reply, account, { fields, errors, mode: 'create', action: '/newsroom/publications/new' }, 422);
    await upsertPublication(deps.store, publication, { actor: account.email, clock: deps.clock });
    return reply.redirect(`/newsroom/publications/${publication.slug}/settings?done=created`, 303);
  });

  app.get<{ Params: { slug: string }; Querystring: { done?: string } }>('/newsroom/publications/:slug/settings', async (request, reply) => {
    const account = await requireAccount(request, deps);
    const publication = await publicationFor(request.params.slug, account, 'change its settings');
    const fields = fieldsFromSettings(publication.settings, pickedSchedule(publication.settings.schedule));
    const notice = request.query.done === 'created' ? 'Publication created.' : request.query.done === 'saved' ? 'Settings saved.' : undefined;
    const action = `/newsroom/publications/${publication.slug}/settings`;
    return show(request, reply, account, { fields, errors: new Map(), mode: 'edit', action, ...(notice ? { notice } : {}) });
  });

  app.post<{ Params: { slug: string }; Body: FormBody }>('/newsroom/publications/:slug/settings', async (request, reply) => {
    const account = await requireAccount(request, deps);
    verifyCsrf(request, deps.config);
    const stored = await publicationFor(request.params.slug, account, 'change its settings');
    // The slug is the publication's identity: the form cannot move the settings to another one.
    const fields = { ...fieldsFromBody(request.body ?? {}), slug: stored.slug };
    const { publication, errors } = checkFields(fields, stored.settings);
    const lockout = lockoutProblem(account, fields, stored.settings);
    if (lockout) errors.set('team', [...(errors.get('team') ?? []), lockout]);
    const action = `/newsroom/publications/${stored.slug}/settings`;
    if (!publication || errors.size) return show(request, reply, account, { fields, errors, mode: 'edit', action }, 422);
    await upsertPublication(deps.store, publication, { actor: account.email, clock: deps.clock });
    return reply.redirect(`${action}?done=saved`, 303);
  });

  app.get<{ Params: { slug: string } }>('/newsroom/publications/:slug/settings.yaml', async (request, reply) => {
    const account = await requireAccount(request, deps);
    const publication = await publicationFor(request.params.slug, account, 'download its settings');
    return reply
      .type('application/yaml; charset=utf-8')
      .header('content-disposition', `attachment; filename="${publication.slug}.yaml"`)
      .send(publicationFile(publication.settings));
  });
};
