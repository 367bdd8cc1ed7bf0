/**
 * CPU time per job for `npm run bench:worker`, measured in the same rounds as the rates: the case thread's own CPU
 * (`process.threadCpuUsage`, so the other cases' idle threads do not count) and that of the local services a case
 * may use — RabbitMQ (`beam.smp`), PostgreSQL (every `postgres` process) and Redis (`redis-server`) — read from
 * /proc (Linux only; elsewhere the services read 0). Services are shared with anyone else on the machine, so their
 * figures include whatever else used them during the round.
 */
import { readdirSync, readFileSync } from "node:fs";

/** The local services whose CPU a round reports, by process name. */
export const SERVICE_PROCESSES = ["beam.smp", "postgres", "redis-server"] as const;

/** One service's process name. */
export type ServiceProcess = (typeof SERVICE_PROCESSES)[number];

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU microseconds used so far by every process of each service (0 where /proc cannot be read). */
export function serviceCpuMicros(): Record<ServiceProcess, number> {
  const totals: Record<ServiceProcess, number> = { "beam.smp": 0, postgres: 0, "redis-server": 0 };
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((name) => /^\d+$/.test(name));
  } catch {
    return totals;
  }
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue; // The process ended meanwhile.
    }
    const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    if (!(SERVICE_PROCESSES as readonly string[]).includes(name)) continue;
    // After "pid (comm) ": state is field 3; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    if (Number.isFinite(ticks)) totals[name as ServiceProcess] += (ticks * 1_000_000) / TICKS_PER_SECOND;
  }
  return totals;
}

/** What each service used between two readings of {@link serviceCpuMicros}. */
export function serviceCpuSince(before: Record<ServiceProcess, number>): Record<ServiceProcess, number> {
  const now = serviceCpuMicros();
  return {
    "beam.smp": now["beam.smp"] - before["beam.smp"],
    postgres: now.postgres - before.postgres,
    "redis-server": now["redis-server"] - before["redis-server"],
  };
}

/** Runs `round` and adds the CPU microseconds this thread spent in it. */
export async function withThreadCpu<T extends object>(round: () => Promise<T>): Promise<T & { threadCpuUs: number }> {
  const before = process.threadCpuUsage();
  const timing = await round();
  const used = process.threadCpuUsage(before);
  return { ...timing, threadCpuUs: used.user + used.system };
}
