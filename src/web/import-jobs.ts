// Imports started from the dashboard: each is a folder DATA_DIR/imports/<id>
// holding the uploaded file, the state of the import as JSON (what the
// progress and report pages read, whichever request asks) and the rejects
// file. The uploaded file holds personal data: it is deleted as soon as the
// import ends, and whole folders a week after they were made.
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { ColumnMap } from '../audience/import-columns.ts';
import type { ImportProgress, Reject } from '../audience/import.ts';

/** The largest file the dashboard takes (the page says so); the CLI has no limit. */
export const MAX_IMPORT_BYTES = 100 * 1024 * 1024;
const KEEP_MS = 7 * 24 * 3600 * 1000;
const ID = /^[0-9a-f]{32}$/;

export interface ImportJob {
  id: string;
  publicationId: number;
  /** Who uploaded it (an address), for the page. */
  by: string;
  fileName: string;
  bytes: number;
  createdAt: number;
  status: 'uploaded' | 'running' | 'done' | 'failed';
  headers: string[];
  suggested?: ColumnMap;
  encoding: string;
  expectedRows: number;
  progress?: ImportProgress;
  sampleRejects?: Reject[];
  /** Why it failed, in words for the person. */
  error?: string;
}

/** Raised when the upload is larger than MAX_IMPORT_BYTES. */
export class UploadTooLarge extends Error {}

/** The jobs folder of a data folder, and the paths of one job. */
export function importJobs(dataDir: string) {
  const root = join(dataDir, 'imports');
  const dirOf = (id: string) => join(root, id);
  const paths = (id: string) => ({ upload: join(dirOf(id), 'upload.csv'), rejects: join(dirOf(id), 'rejects.csv'), state: join(dirOf(id), 'job.json') });

  return {
    paths,

    /** Streams an upload into a new job's folder, refusing it past `limit` bytes; returns the new id and the size. */
    async receive(body: Readable, limit = MAX_IMPORT_BYTES): Promise<{ id: string; bytes: number }> {
      const id = randomBytes(16).toString('hex');
      await mkdir(dirOf(id), { recursive: true, mode: 0o700 });
      let bytes = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          bytes += chunk.length;
          done(bytes > limit ? new UploadTooLarge(`the file is larger than ${Math.round(limit / 1024 / 1024)} MiB`) : null, chunk);
        },
      });
      try {
        await pipeline(body, counter, createWriteStream(paths(id).upload, { mode: 0o600 }));
      } catch (err) {
        await rm(dirOf(id), { recursive: true, force: true });
        throw err;
      }
      return { id, bytes };
    },

    /** The job's state; undefined for an id that is not one. */
    async read(id: string): Promise<ImportJob | undefined> {
      if (!ID.test(id) || !existsSync(paths(id).state)) return undefined;
      return JSON.parse(await readFile(paths(id).state, 'utf8')) as ImportJob;
    },

    /** Writes the job's state whole (a temporary file renamed over it: a reader never sees half of it). */
    async write(job: ImportJob): Promise<void> {
      const { state } = paths(job.id);
      await writeFile(`${state}.tmp`, JSON.stringify(job), { mode: 0o600 });
      await rename(`${state}.tmp`, state);
    },

    /** Deletes a job's upload (once imported) and the folders of jobs older than a week. */
    async tidy(now: number, done?: string): Promise<void> {
      if (done) await rm(paths(done).upload, { force: true });
      if (!existsSync(root)) return;
      for (const id of await readdir(root)) {
        const job = await this.read(id).catch(() => undefined);
        if (job && now - job.createdAt > KEEP_MS) await rm(dirOf(id), { recursive: true, force: true });
      }
    },

    async remove(id: string): Promise<void> {
      if (ID.test(id)) await rm(dirOf(id), { recursive: true, force: true });
    },
  };
}

export type ImportJobs = ReturnType<typeof importJobs>;
