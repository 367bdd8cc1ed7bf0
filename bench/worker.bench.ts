/**
 * `npm run bench:worker`: jobs per second end to end — producer → broker → worker → handler → ack — with status
 * tracking on (the producer records `queued`, the worker `running` and `succeeded`), for AMQP with the PostgreSQL
 * and SQLite stores (on the transport's default classic queue and on a quorum queue, `amqp-quorum`) and for the SQLite transport with the SQLite store (and memory + memory as the floor of our
 * own overhead), beside BullMQ on the local Redis doing the same jobs at the same concurrency with a no-op
 * processor, and amqplib alone on the same broker (`amqplib`, `amqplib-quorum`: publishing with confirms and
 * acking, no status tracking — the ceiling the broker sets for every AMQP case of ours), in one run. Prints the
 * rates and the ratios against BullMQ (target: at least 1.0×) and writes bench/results/worker.json as
 * `{"<transport>+<store>": jobs_per_s, …, "bullmq": jobs_per_s, "amqplib": jobs_per_s, "amqplib-quorum": …}`.
 *
 * Method: a round sends N jobs (ours: generated client calls with BENCH_OUTSTANDING outstanding; BullMQ: addBulk
 * in batches of BENCH_BATCH) while the worker runs them; its rate is N / (time from the first send to the last job
 * done). Each case runs in a worker thread of its own, warmed up first with BENCH_WARMUP jobs (a whole round by
 * default: after 2,000, every peer — BullMQ too — still spent from a third more to twice the CPU per job in the
 * next two rounds than later, while V8 optimised its hot paths, so a median of 3 rounds measured warm-up); ROUNDS
 * rounds take turns across the cases, in reverse order every other round; medians are reported. Beside the rates,
 * CPU per job in the same rounds: the case thread's own, and that of RabbitMQ, PostgreSQL and Redis read from /proc
 * (bench/worker-cpu.ts) — on a machine of few cores this tells what bounds each case: BullMQ's system is its
 * thread plus Redis, ours its thread plus the broker and store it uses.
 *
 * Environment: BENCH_JOBS (N, 10000), BENCH_WARMUP (N), BENCH_ROUNDS (3), BENCH_CONCURRENCY (50),
 * BENCH_OUTSTANDING (1000), BENCH_BATCH (1000), BENCH_CASES (a comma-separated subset of the names),
 * BENCH_SQLITE_THREAD (true: the SQLite status store on a thread of its own, `?thread=true`),
 * BENCH_SQLITE_CHECKPOINTS (inline: WAL checkpoints in the commits, as SQLite does, instead of on the checkpoint
 * thread), AMQP_URL,
 * DATABASE_URL, REDIS_URL.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { registerHooks } from "node:module";
import { loadavg } from "node:os";
import process from "node:process";
import { setTimeout as sleep } from "node:timers/promises";
import { isMainThread, workerData } from "node:worker_threads";
import { CaseThread, median, positiveInteger, serveCaseThread } from "./case-thread.ts";
import type { WorkerBenchSettings, WorkerCaseId, WorkerRoundTiming } from "./worker-cases.ts";
import { SERVICE_PROCESSES, serviceCpuMicros, serviceCpuSince, type ServiceProcess } from "./worker-cpu.ts";

// Generated code imports "thrift-queue": run it against src/, so the bench measures the current sources.
const SOURCE_ENTRY = new URL("../src/index.ts", import.meta.url).href;
registerHooks({
  resolve: (specifier, context, nextResolve) =>
    nextResolve(specifier === "thrift-queue" ? SOURCE_ENTRY : specifier, context),
});

// Imported only now that the hook is in place: a static import would resolve the generated code's "thrift-queue"
// (through worker-cases.ts) to the last build in dist/ instead.
const { workerCaseName: caseName } = await import("./worker-cases.ts");

const JOBS = positiveInteger("BENCH_JOBS", 10_000);
const ROUNDS = positiveInteger("BENCH_ROUNDS", 3);
const WARMUP_JOBS = positiveInteger("BENCH_WARMUP", JOBS);
const TARGET = 1.0;
const SETTLE_MS = 500;

const CASES: readonly WorkerCaseId[] = [
  { peer: "ours", transport: "amqp", store: "postgres" },
  { peer: "ours", transport: "amqp", store: "sqlite" },
  { peer: "ours", transport: "amqp-quorum", store: "postgres" },
  { peer: "ours", transport: "amqp-quorum", store: "sqlite" },
  { peer: "ours", transport: "sqlite", store: "sqlite" },
  { peer: "ours", transport: "memory", store: "memory" },
  { peer: "bullmq" },
  { peer: "amqplib", queueType: "classic" },
  { peer: "amqplib", queueType: "quorum" },
];

interface CaseRates {
  readonly send: number;
  readonly endToEnd: number;
  readonly byRound: readonly number[];
  /** Median CPU µs per job: the case thread's, and each service's. */
  readonly cpu: { readonly thread: number } & Record<ServiceProcess, number>;
}

/** A round's timing and what the services used during it. */
type MeasuredRound = WorkerRoundTiming & { readonly services: Record<ServiceProcess, number> };

async function measureAll(cases: readonly WorkerCaseId[], settings: WorkerBenchSettings) {
  const threads: CaseThread<WorkerRoundTiming>[] = [];
  const perSecond = (ms: number): number => (JOBS / ms) * 1000;
  try {
    for (const id of cases) {
      const thread = new CaseThread<WorkerRoundTiming>(caseName(id), new URL(import.meta.url), { id, settings });
      threads.push(thread);
      await thread.ready;
      await thread.round(WARMUP_JOBS);
    }
    const timings = new Map(threads.map((thread) => [thread.name, [] as MeasuredRound[]]));
    console.log(`timing ${ROUNDS} rounds of ${JOBS} jobs per case...`);
    for (let round = 0; round < ROUNDS; round++) {
      const line: string[] = [];
      for (const thread of round % 2 === 0 ? threads : [...threads].reverse()) {
        await sleep(SETTLE_MS);
        const servicesBefore = serviceCpuMicros();
        const timing = await thread.round(JOBS);
        timings.get(thread.name)!.push({ ...timing, services: serviceCpuSince(servicesBefore) });
        line.push(`${thread.name} ${Math.round(perSecond(timing.totalMs))}`);
      }
      console.log(`  round ${round + 1} (load ${loadavg()[0]!.toFixed(2)}): ${line.join(", ")}`);
    }
    const rates = new Map<string, CaseRates>();
    for (const [name, list] of timings) {
      rates.set(name, {
        send: median(list.map((t) => perSecond(t.sendMs))),
        endToEnd: median(list.map((t) => perSecond(t.totalMs))),
        byRound: list.map((t) => perSecond(t.totalMs)),
        cpu: {
          thread: median(list.map((t) => t.threadCpuUs / JOBS)),
          "beam.smp": median(list.map((t) => t.services["beam.smp"] / JOBS)),
          postgres: median(list.map((t) => t.services.postgres / JOBS)),
          "redis-server": median(list.map((t) => t.services["redis-server"] / JOBS)),
        },
      });
    }
    return rates;
  } finally {
    for (const thread of threads) await thread.stop();
  }
}

function report(rates: Map<string, CaseRates>): void {
  const rate = (value: number): string => Math.round(value).toLocaleString("en-US").padStart(12);
  console.log(`\n${"case".padEnd(18)}${"sent/s".padStart(12)}  ${"jobs done/s".padStart(12)}`);
  for (const [name, r] of rates) console.log(`${name.padEnd(18)}${rate(r.send)}  ${rate(r.endToEnd)}`);
  reportCpu(rates);
  const bullmq = rates.get("bullmq");
  if (!bullmq) return;
  console.log("");
  for (const [name, r] of rates) {
    if (name === "bullmq") continue;
    const ratio = r.endToEnd / bullmq.endToEnd;
    const paired = r.byRound.map((value, round) => (value / bullmq.byRound[round]!).toFixed(2)).join(" ");
    const verdict = name.startsWith("amqplib")
      ? "(the broker's ceiling: amqplib alone, no status tracking)"
      : name.startsWith("memory")
        ? "(information)"
        : `target >= ${TARGET}x: ${ratio >= TARGET ? "met" : "NOT MET"}`;
    console.log(
      `${`${name} / bullmq`.padEnd(28)}${`${ratio.toFixed(2)}x`.padStart(7)}   ${verdict}   by round ${paired}`,
    );
  }
}

/** CPU µs per job of each case's thread and of the services, and their sum (medians of the rounds). */
function reportCpu(rates: Map<string, CaseRates>): void {
  const cell = (value: number): string => Math.round(value).toString().padStart(14);
  const headings = ["case thread", ...SERVICE_PROCESSES, "sum"].map((name) => name.padStart(14)).join("");
  console.log(`\n${"CPU µs per job".padEnd(18)}${headings}`);
  for (const [name, { cpu }] of rates) {
    const services = SERVICE_PROCESSES.map((service) => cpu[service]);
    const sum = services.reduce((total, value) => total + value, cpu.thread);
    console.log(`${name.padEnd(18)}${[cpu.thread, ...services, sum].map(cell).join("")}`);
  }
  console.log("(services are shared: their figures include anyone else using them during the round)");
}

async function writeResults(rates: Map<string, CaseRates>): Promise<void> {
  const results = Object.fromEntries([...rates].map(([name, r]) => [name, Math.round(r.endToEnd)]));
  const folder = new URL("results/", import.meta.url);
  await mkdir(folder, { recursive: true });
  await writeFile(new URL("worker.json", folder), `${JSON.stringify(results, null, 2)}\n`);
  console.log("\nwrote bench/results/worker.json");
}

async function main(): Promise<void> {
  const wanted = process.env["BENCH_CASES"]?.split(",").map((name) => name.trim());
  const cases = CASES.filter((id) => wanted === undefined || wanted.includes(caseName(id)));
  const settings: WorkerBenchSettings = {
    concurrency: positiveInteger("BENCH_CONCURRENCY", 50),
    outstanding: positiveInteger("BENCH_OUTSTANDING", 1000),
    batchJobs: positiveInteger("BENCH_BATCH", 1000),
    amqpUrl: process.env["AMQP_URL"] ?? "amqp://guest:guest@127.0.0.1:5672",
    postgresUrl: process.env["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:5432/test",
    redisUrl: process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379",
    sqliteStoreThread: process.env["BENCH_SQLITE_THREAD"] === "true",
    sqliteCheckpoints: process.env["BENCH_SQLITE_CHECKPOINTS"] === "inline" ? "inline" : "background",
    runId: `${process.pid}${Date.now().toString(36)}`,
  };
  console.log(
    `${JOBS} jobs per round, concurrency ${settings.concurrency}, ${settings.outstanding} calls outstanding, ` +
      `BullMQ addBulk of ${settings.batchJobs}, SQLite status store ${settings.sqliteStoreThread ? "on its own thread" : "on the case's thread"}, ` +
      `SQLite checkpoints ${settings.sqliteCheckpoints}; load average ${loadavg()
        .map((load) => load.toFixed(2))
        .join(" ")}`,
  );
  const rates = await measureAll(cases, settings);
  report(rates);
  await writeResults(rates);
}

if (isMainThread) {
  await main();
} else {
  const { id, settings } = workerData as { id: WorkerCaseId; settings: WorkerBenchSettings };
  const { openWorkerCase } = await import("./worker-cases.ts");
  await serveCaseThread(caseName(id), () => openWorkerCase(id, settings));
}
