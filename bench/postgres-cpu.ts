// How much CPU PostgreSQL spent for a benchmark: the backends serving its
// connections (found by their application_name) on this same host.
import { readFileSync } from 'node:fs';
import pg from 'pg';

/** CPU ms (user + system) used so far by the backends named `appName`; call it before closing their connections. */
export async function postgresCpuMs(databaseUrl: string, appName: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'matinale-bench-probe' });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('select pid from pg_stat_activity where application_name = $1', [appName]);
    let ticks = 0;
    for (const { pid } of rows) {
      // Fields 14 and 15 of /proc/PID/stat (after the parenthesised name): utime, stime, in clock ticks (100 per second).
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    }
    return ticks * 10;
  } finally {
    await client.end();
  }
}
