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

/**
 * CPU ms used by the backends named `appName` (their whole life), parallel
 * workers included: those share their leader's name but exit before the end
 * (an index built at the end of an import), so every backend's use is read
 * every 100 ms while it lives; a worker's last 100 ms may be missed.
 */
export function watchPostgresCpu(databaseUrl: string, appName: string): { stop(): Promise<number> } {
  const latest = new Map<number, number>();
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'matinale-bench-probe' });
  const connected = client.connect();
  let sampling: Promise<void> = Promise.resolve();
  const sample = () =>
    (sampling = sampling.then(async () => {
      await connected;
      const { rows } = await client.query<{ pid: number }>('select pid from pg_stat_activity where application_name = $1', [appName]);
      for (const { pid } of rows) {
        const ms = cpuOf(pid);
        if (ms !== undefined) latest.set(pid, ms);
      }
    }));
  const timer = setInterval(() => void sample().catch(() => {}), 100);
  return {
    async stop() {
      clearInterval(timer);
      await sample();
      await client.end();
      let total = 0;
      for (const ms of latest.values()) total += ms;
      return total;
    },
  };
}

function cpuOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    // Gone between the query and the read.
    return undefined;
  }
}
