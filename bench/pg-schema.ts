// A throw-away PostgreSQL schema per benchmark run, so that runs never meet
// each other's tables (or the tests').
import { randomBytes } from 'node:crypto';
import pg from 'pg';

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
