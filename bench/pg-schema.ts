// A throw-away PostgreSQL schema per benchmark run, so that runs never meet
// each other's tables (or the tests').
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OpenOptions } from '../src/store/db.ts';

/** The PostgreSQL server benchmarks use. */
export const DATABASE_URL =
  process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** Creates an empty schema with a random name and returns the name. */
export async function createSchema(): Promise<string> {
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  await adminQuery(`create schema ${schema}`);
  return schema;
}

/** Drops a schema made by createSchema, with everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  await adminQuery(`drop schema if exists ${schema} cascade`);
}

async function adminQuery(text: string): Promise<void> {
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(text);
  } finally {
    await admin.end();
  }
}

/** A fresh database for a benchmark case: a SQLite file in a temporary folder, or a PostgreSQL schema; and how to remove it. */
export async function benchDatabase(backend: 'sqlite' | 'postgres'): Promise<{ options: OpenOptions; drop(): Promise<void> }> {
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'matinale-bench-'));
    return { options: { sqlitePath: join(dir, 'matinale.sqlite') }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const schema = await createSchema();
  return { options: { databaseUrl: DATABASE_URL, schema, maxConnections: 2 }, drop: () => dropSchema(schema) };
}
