// Dashboard: importing a CSV file of subscribers from the browser, over the
// same import as `matinale subscribers import` (audience/import.ts, same
// rules). The file goes up as the request body, streamed to disk and refused
// past MAX_IMPORT_BYTES while it arrives; the member is checked before a byte
// is read (the route's onRequest). Then the member maps the file's columns,
// the import runs in this process while its page follows it, and the report
// offers the rejects file. Editors of the publication only.
import { createReadStream } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../app.ts';
import { storeDesk } from '../store-desk.ts';
import { csrfToken, requireAccount, requireRole, verifyCsrf } from '../auth/guard.ts';
import { newsroomPage } from '../pages/newsroom-layout.ts';
import { mappingPage, progressPage, uploadPage } from '../pages/import-pages.ts';
import { importJobs, MAX_IMPORT_BYTES, UploadTooLarge, type ImportJob } from '../import-jobs.ts';
import { WebError } from '../errors.ts';
import { audienceDeps } from '../../audience/deps.ts';
import { importFileColumns, importSubscribers, ImportRefusedError, NotCsvError } from '../../audience/import.ts';
import type { ColumnMap } from '../../audience/import-columns.ts';
import type { Readable } from 'node:stream';

type JobParams = { Params: { id: string } };
const COLUMN_FIELDS = ['email', 'name', 'firstName', 'lastName', 'createdAt', 'consentSource'] as const;

/** The file's name as the browser gave it, without any path, for the pages. */
function fileNameOf(request: FastifyRequest): string {
  const raw = String(request.headers['x-file-name'] ?? '');
  let name = raw;
  try {
    name = decodeURIComponent(raw);
  } catch {
    // a name that is not valid percent-encoding is shown as sent
  }
  const base = [...(name.split(/[\\/]/).pop() ?? '')].filter((c) => c.charCodeAt(0) >= 32).join('');
  return base.slice(0, 200) || 'upload.csv';
}

/** GET /newsroom/publications/:slug/import, POST /api/publications/:slug/imports, GET /newsroom/imports/:id, POST …/start, GET …/rejects.csv */
export const routes: RoutePlugin = async (app, deps) => {
  const desk = storeDesk(deps.store, deps.clock);
  const jobs = importJobs(deps.config.dataDir);
  const audience = audienceDeps(deps.config, deps.store, { clock: deps.clock });

  async function publicationFor(request: FastifyRequest<{ Params: { slug: string } }>) {
    const account = await requireAccount(request, deps);
    const publication = await desk.publicationBySlug(request.params.slug);
    if (!publication) throw new WebError('not-found');
    requireRole(account, publication.id, 'editor', 'import subscribers');
    return { account, publication };
  }

  async function jobFor(request: FastifyRequest<JobParams>) {
    const account = await requireAccount(request, deps);
    const job = await jobs.read(request.params.id);
    const publication = job ? await desk.publicationById(job.publicationId) : undefined;
    if (!job || !publication) throw new WebError('not-found');
    requireRole(account, publication.id, 'editor', 'import subscribers');
    return { account, job, publication };
  }

  const page = (reply: FastifyReply, request: FastifyRequest, title: string, body: Parameters<typeof newsroomPage>[0]['body'], extra: { account: Parameters<typeof newsroomPage>[0]['account']; script?: string; refreshSeconds?: number; status?: number }) => {
    const csrf = csrfToken(request, reply, deps.config);
    return reply
      .code(extra.status ?? 200)
      .type('text/html; charset=utf-8')
      .send(newsroomPage({ title, account: extra.account, csrf, current: 'publications', body, ...(extra.script ? { script: extra.script } : {}), ...(extra.refreshSeconds ? { refreshSeconds: extra.refreshSeconds } : {}) }));
  };

  app.get<{ Params: { slug: string } }>('/newsroom/publications/:slug/import', async (request, reply) => {
    const { account, publication } = await publicationFor(request);
    return page(reply, request, `Import into ${publication.name}`, uploadPage(publication, MAX_IMPORT_BYTES), { account, script: '/assets/import.js' });
  });

  // Encapsulated: the raw CSV body parser applies to the upload only.
  await app.register(async (scope) => {
    scope.addContentTypeParser(['text/csv', 'application/octet-stream'], async (_request: FastifyRequest, payload: Readable) => {
      try {
        return await jobs.receive(payload);
      } catch (err) {
        if (err instanceof UploadTooLarge) throw new WebError('too-large', `The file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MiB: split it, or use matinale subscribers import`);
        throw err;
      }
    });
    scope.post<{ Params: { slug: string }; Body: { id: string; bytes: number } | undefined }>(
      '/api/publications/:slug/imports',
      {
        // Who asks, and may they, before the body is read: nobody else gets a byte onto the disk.
        onRequest: async (request) => {
          await publicationFor(request);
          verifyCsrf(request, deps.config);
          const declared = Number(request.headers['content-length']);
          if (declared > MAX_IMPORT_BYTES) throw new WebError('too-large', `The file is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MiB: split it, or use matinale subscribers import`);
        },
      },
      async (request) => {
        const { account, publication } = await publicationFor(request);
        const received = request.body;
        if (!received || typeof received.id !== 'string') throw new WebError('invalid-input', 'Send the CSV file as the request body (Content-Type: text/csv)');
        let columns;
        try {
          columns = await importFileColumns(jobs.paths(received.id).upload);
        } catch (err) {
          await jobs.remove(received.id);
          if (err instanceof NotCsvError) throw new WebError('invalid-input', `${fileNameOf(request)}: ${err.message}`);
          throw err;
        }
        const now = deps.clock.now();
        const job: ImportJob = {
          id: received.id,
          publicationId: publication.id,
          by: account.email,
          fileName: fileNameOf(request),
          bytes: received.bytes,
          createdAt: now,
          status: 'uploaded',
          headers: columns.headers,
          ...(columns.suggested ? { suggested: columns.suggested } : {}),
          encoding: columns.check.encoding,
          expectedRows: Math.max(0, columns.check.lines),
        };
        await jobs.write(job);
        await jobs.tidy(now);
        return { import: job.id, next: `/newsroom/imports/${job.id}` };
      },
    );
  });

  app.get<JobParams>('/newsroom/imports/:id', async (request, reply) => {
    const { account, job, publication } = await jobFor(request);
    if (job.status === 'uploaded') {
      const csrf = csrfToken(request, reply, deps.config);
      return page(reply, request, 'Map the columns', mappingPage(publication, job, csrf), { account });
    }
    return page(reply, request, `Import of ${job.fileName}`, progressPage(publication, job), { account, ...(job.status === 'running' ? { refreshSeconds: 1 } : {}) });
  });

  app.post<JobParams & { Body: Record<string, string | undefined> }>('/newsroom/imports/:id/start', async (request, reply) => {
    const { account, job, publication } = await jobFor(request);
    verifyCsrf(request, deps.config);
    if (job.status !== 'uploaded') return reply.redirect(`/newsroom/imports/${job.id}`, 303);
    const body = request.body ?? {};
    const columns: Partial<ColumnMap> = {};
    for (const field of COLUMN_FIELDS) {
      const value = body[field];
      if (value === undefined || value === '') continue;
      const index = Number(value);
      if (!Number.isInteger(index) || index < 0 || index >= job.headers.length) throw new WebError('invalid-input', `No column ${value} in the file`);
      columns[field] = index;
    }
    const confirmed = body.confirmed === 'yes';
    const consentSource = (body.consentText ?? '').trim();
    const problem =
      columns.email === undefined
        ? 'Choose the column that holds the email addresses.'
        : confirmed && !consentSource && columns.consentSource === undefined
          ? 'Subscribing them as active needs the source of their consent: a column of the file, or the text for every row.'
          : undefined;
    if (problem) {
      const csrf = csrfToken(request, reply, deps.config);
      return page(reply, request, 'Map the columns', mappingPage(publication, { ...job, suggested: columns as ColumnMap }, csrf, problem), { account, status: 400 });
    }

    const running: ImportJob = { ...job, status: 'running' };
    await jobs.write(running);
    // The state is written at most every 250 ms, one write after the other.
    let last = 0;
    let writing: Promise<void> = Promise.resolve();
    const save = (next: ImportJob) => (writing = writing.then(() => jobs.write(next)).catch((err: unknown) => request.log.error({ err }, 'import state not written')));
    const paths = jobs.paths(job.id);
    void importSubscribers(audience, {
      file: paths.upload,
      publicationSlug: publication.slug,
      confirmed,
      ...(consentSource ? { consentSource } : {}),
      rejectsFile: paths.rejects,
      columns: columns as ColumnMap,
      onProgress: (progress) => {
        const now = Date.now();
        if (now - last < 250) return;
        last = now;
        void save({ ...running, progress });
      },
    })
      .then((summary) => save({ ...running, status: 'done', progress: summary, sampleRejects: summary.sampleRejects }))
      .catch((err: unknown) => {
        const known = err instanceof NotCsvError || err instanceof ImportRefusedError;
        if (!known) request.log.error({ err }, 'import failed');
        return save({ ...running, status: 'failed', error: known ? (err as Error).message : 'The import stopped on an error of ours; what was written stays (see the list).' });
      })
      .finally(() => jobs.tidy(deps.clock.now(), job.id).catch(() => {}));
    return reply.redirect(`/newsroom/imports/${job.id}`, 303);
  });

  app.get<JobParams>('/newsroom/imports/:id/rejects.csv', async (request, reply) => {
    const { job } = await jobFor(request);
    if (job.status !== 'done' || !job.progress?.rejected) throw new WebError('not-found');
    return reply
      .type('text/csv; charset=utf-8')
      .header('Cache-Control', 'no-store')
      .header('Content-Disposition', `attachment; filename="rejects-${job.fileName.replace(/[^A-Za-z0-9._-]/g, '_')}"`)
      .send(createReadStream(jobs.paths(job.id).rejects));
  });
};
