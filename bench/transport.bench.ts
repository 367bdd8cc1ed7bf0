/**
 * `npm run bench:transport`: typed calls per second end to end — producer → broker → consumer ack — through each
 * transport (memory, sqlite, amqp, sqs on fauxqs, http), beside the broker's own client doing the same work (amqplib;
 * @aws-sdk/client-sqs, and the sqs-consumer package as a further SQS peer). Prints the rates and the ratios against
 * the target (thrift-queue ≥ 0.9× raw) and writes bench/results/transport.json. bench/transport-cases.ts and
 * bench/transport-raw-cases.ts show how each peer is driven and what "the same work" means.
 *
 * Method: a round sends N calls with C outstanding at once, then receives, decodes and acks all N; its end-to-end
 * rate is N / (time from the first send to the last ack), and the send-only and receive-only rates are N over each
 * phase. Every (transport, peer) lives in its own worker thread, so none inherits another's JIT feedback or
 * garbage; fauxqs runs on the main thread, so like RabbitMQ it has a core of its own rather than sharing the
 * client's event loop. Only one case runs at a time. Each case is warmed up with BENCH_WARMUP messages (a whole
 * round by default: after 2,000, the rates of every peer still rose from round to round while V8 and fauxqs warmed
 * up), then ROUNDS rounds take turns across the cases (in reverse order every other round, after a short pause
 * each), so a burst of load from other processes hits every case alike; medians are reported, with the CPU time the
 * peer's own thread spent per message.
 *
 * Environment: BENCH_MESSAGES (N, default 10000), BENCH_WARMUP (N), BENCH_ROUNDS (5), BENCH_CONCURRENCY (C, 1000),
 * BENCH_PREFETCH (unsettled deliveries per consumer, 200), BENCH_SQS_POLLERS (concurrent receives on SQS, 4),
 * BENCH_BATCH_MESSAGES (our producer's maxBatchMessages; its default, 10, when unset), BENCH_TRANSPORTS (a
 * comma-separated subset), AMQP_URL (amqp://guest:guest@127.0.0.1:5672).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { registerHooks } from "node:module";
import { loadavg } from "node:os";
import process from "node:process";
import { setTimeout as sleep } from "node:timers/promises";
import { isMainThread, workerData } from "node:worker_threads";
import { CaseThread, median, positiveInteger, serveCaseThread } from "./case-thread.ts";
import type { BenchSettings, CaseId, PeerName, RoundTiming, TransportName } from "./transport-cases.ts";

// Generated code imports "thrift-queue"; run it against src/ (as tsconfig's paths do), so the bench measures the
// current sources rather than a build in dist/.
const SOURCE_ENTRY = new URL("../src/index.ts", import.meta.url).href;
registerHooks({
  resolve: (specifier, context, nextResolve) =>
    nextResolve(specifier === "thrift-queue" ? SOURCE_ENTRY : specifier, context),
});

const MESSAGES = positiveInteger("BENCH_MESSAGES", 10_000);
const ROUNDS = positiveInteger("BENCH_ROUNDS", 5);
const WARMUP_MESSAGES = positiveInteger("BENCH_WARMUP", MESSAGES);
const TARGET = 0.9;
/** Pause before each timed round, for the machine to settle after the previous case. */
const SETTLE_MS = 250;
const AMQP_URL = process.env["AMQP_URL"] ?? "amqp://guest:guest@127.0.0.1:5672";

const CASES: readonly CaseId[] = [
  { transport: "memory", peer: "ours" },
  { transport: "sqlite", peer: "ours" },
  { transport: "amqp", peer: "ours" },
  { transport: "amqp", peer: "raw" },
  { transport: "sqs", peer: "ours" },
  { transport: "sqs", peer: "raw" },
  { transport: "sqs", peer: "sqs-consumer" },
  { transport: "http", peer: "ours" },
];

const PEER_LABELS: Record<PeerName, Record<string, string>> = {
  ours: { default: "thrift-queue" },
  raw: { amqp: "amqplib", sqs: "@aws-sdk/client-sqs" },
  "sqs-consumer": { default: "sqs-consumer" },
};

const key = ({ transport, peer }: CaseId): string => `${transport}/${peer}`;
const label = ({ transport, peer }: CaseId): string =>
  PEER_LABELS[peer][transport] ?? PEER_LABELS[peer]["default"] ?? peer;

/** Medians of one case: messages per second, and CPU time of the peer's thread per message (µs). */
interface Rates {
  readonly send: number;
  readonly receive: number;
  readonly endToEnd: number;
  readonly sendCpuMicros: number;
  readonly receiveCpuMicros: number;
  /** End-to-end rate of each timed round, in order: rounds of one index ran close together in time. */
  readonly endToEndByRound: readonly number[];
}

/** Runs every case; returns the median rates per case. */
async function measureAll(cases: readonly CaseId[], settings: BenchSettings): Promise<Map<string, Rates>> {
  const workers: CaseThread<RoundTiming>[] = [];
  try {
    for (const id of cases) {
      const worker = new CaseThread<RoundTiming>(key(id), new URL(import.meta.url), { id, settings });
      workers.push(worker);
      await worker.ready;
      await worker.round(WARMUP_MESSAGES);
    }
    const rounds = new Map(workers.map((worker) => [worker.name, [] as RoundTiming[]]));
    console.log(`timing ${ROUNDS} rounds of ${MESSAGES} messages per case...`);
    for (let round = 0; round < ROUNDS; round++) {
      const line: string[] = [];
      // Every other round runs the cases in reverse, so that no case always follows the same one (a broker still
      // busy with the previous case's work, for instance).
      for (const worker of round % 2 === 0 ? workers : [...workers].reverse()) {
        await sleep(SETTLE_MS);
        const timing = await worker.round(MESSAGES);
        rounds.get(worker.name)!.push(timing);
        line.push(`${worker.name} ${Math.round(perSecond(timing.sendMs + timing.receiveMs))}`);
      }
      console.log(`  round ${round + 1} (load ${loadavg()[0]!.toFixed(2)}): ${line.join(", ")}`);
    }
    const rates = new Map<string, Rates>();
    for (const [name, timings] of rounds) {
      rates.set(name, {
        send: median(timings.map((t) => perSecond(t.sendMs))),
        receive: median(timings.map((t) => perSecond(t.receiveMs))),
        endToEnd: median(timings.map((t) => perSecond(t.sendMs + t.receiveMs))),
        sendCpuMicros: median(timings.map((t) => (t.sendCpuMs * 1000) / MESSAGES)),
        receiveCpuMicros: median(timings.map((t) => (t.receiveCpuMs * 1000) / MESSAGES)),
        endToEndByRound: timings.map((t) => perSecond(t.sendMs + t.receiveMs)),
      });
    }
    return rates;
  } finally {
    for (const worker of workers) await worker.stop();
  }
}

function perSecond(ms: number): number {
  return (MESSAGES / ms) * 1000;
}

function report(cases: readonly CaseId[], rates: Map<string, Rates>): boolean {
  const rate = (value: number): string => Math.round(value).toLocaleString("en-US").padStart(12);
  const times = (ratio: number): string => `${ratio.toFixed(2)}x`.padStart(7);
  const micros = (value: number): string => value.toFixed(1).padStart(8);
  console.log(
    `\n${"".padEnd(33)}${"messages per second".padStart(40)}    client CPU µs/msg\n` +
      `${"transport".padEnd(11)}${"peer".padEnd(22)}${"send".padStart(12)}  ${"receive+ack".padStart(12)}  ` +
      `${"end to end".padStart(12)}    ${"send".padStart(8)}${"receive".padStart(8)}`,
  );
  for (const id of cases) {
    const r = rates.get(key(id))!;
    console.log(
      `${id.transport.padEnd(11)}${label(id).padEnd(22)}${rate(r.send)}  ${rate(r.receive)}  ${rate(r.endToEnd)}    ` +
        `${micros(r.sendCpuMicros)}${micros(r.receiveCpuMicros)}`,
    );
  }

  let allMet = true;
  const compare = (transport: TransportName, peer: PeerName, target?: number): void => {
    const ours = rates.get(`${transport}/ours`);
    const other = rates.get(`${transport}/${peer}`);
    if (!ours || !other) return;
    const ratio = ours.endToEnd / other.endToEnd;
    const met = target === undefined || ratio >= target;
    allMet &&= met;
    const verdict = target === undefined ? "(information)" : `target >= ${target}x: ${met ? "met" : "NOT MET"}`;
    const name = `${transport}: thrift-queue / ${label({ transport, peer })}`;
    console.log(`${name.padEnd(46)}end to end ${times(ratio)}   ${verdict}`);
    const phases = `send ${times(ours.send / other.send)}, receive+ack ${times(ours.receive / other.receive)}`;
    // The same round of both peers ran close together, under much the same load from elsewhere.
    const paired = ours.endToEndByRound.map((rate, round) => rate / other.endToEndByRound[round]!);
    console.log(`${"".padEnd(46)}${phases}`);
    console.log(
      `${"".padEnd(46)}end to end by round ${paired.map((value) => value.toFixed(2)).join(" ")} ` +
        `(median ${median(paired).toFixed(2)}x)`,
    );
  };
  console.log("");
  compare("amqp", "raw", TARGET);
  compare("sqs", "raw", TARGET);
  compare("sqs", "sqs-consumer");
  console.log(allMet ? "\nall targets met" : "\nsome targets NOT met");
  return allMet;
}

/** `{"<transport>": {"ours": msgs/s, "raw": msgs/s}}`, end to end; "sqs-consumer" compares it with our SQS. */
async function writeResults(rates: Map<string, Rates>): Promise<void> {
  const results: Record<string, { ours: number; raw?: number }> = {};
  const endToEnd = (name: string): number | undefined => {
    const found = rates.get(name);
    return found && Math.round(found.endToEnd);
  };
  for (const transport of ["memory", "sqlite", "amqp", "sqs", "http"] as const) {
    const ours = endToEnd(`${transport}/ours`);
    const raw = endToEnd(`${transport}/raw`);
    if (ours !== undefined) results[transport] = raw === undefined ? { ours } : { ours, raw };
  }
  const sqsConsumer = endToEnd("sqs/sqs-consumer");
  const sqsOurs = endToEnd("sqs/ours");
  if (sqsConsumer !== undefined && sqsOurs !== undefined) results["sqs-consumer"] = { ours: sqsOurs, raw: sqsConsumer };
  const folder = new URL("results/", import.meta.url);
  await mkdir(folder, { recursive: true });
  await writeFile(new URL("transport.json", folder), `${JSON.stringify(results, null, 2)}\n`);
  console.log("wrote bench/results/transport.json");
}

/** Whether the broker answers; the AMQP cases are skipped (saying so) when it does not. */
async function amqpReachable(): Promise<boolean> {
  const amqp = await import("amqplib");
  try {
    const connection = await amqp.connect(AMQP_URL, { timeout: 3000 });
    await connection.close();
    return true;
  } catch (error) {
    console.log(`skipping amqp: no broker at ${AMQP_URL} (${error instanceof Error ? error.message : String(error)})`);
    return false;
  }
}

async function main(): Promise<void> {
  const wanted = process.env["BENCH_TRANSPORTS"]?.split(",").map((name) => name.trim());
  let cases = CASES.filter((id) => wanted === undefined || wanted.includes(id.transport));
  if (cases.some((id) => id.transport === "amqp") && !(await amqpReachable())) {
    cases = cases.filter((id) => id.transport !== "amqp");
  }
  const { startFauxqs } = await import("fauxqs");
  const fauxqs = await startFauxqs({ port: 0, host: "127.0.0.1", logger: false });
  const settings: BenchSettings = {
    concurrency: positiveInteger("BENCH_CONCURRENCY", 1000),
    batchMessages: process.env["BENCH_BATCH_MESSAGES"] ? positiveInteger("BENCH_BATCH_MESSAGES", 10) : undefined,
    prefetch: positiveInteger("BENCH_PREFETCH", 200),
    sqsPollers: positiveInteger("BENCH_SQS_POLLERS", 4),
    maxMessages: Math.max(MESSAGES, WARMUP_MESSAGES),
    amqpUrl: AMQP_URL,
    sqsEndpoint: fauxqs.address,
    runId: `${process.pid}-${Date.now().toString(36)}`,
  };
  const { encodedCall } = await import("./transport-cases.ts");
  console.log(
    `${MESSAGES} messages of ${encodedCall(0).length} payload bytes per round, ${settings.concurrency} calls ` +
      `outstanding, prefetch ${settings.prefetch}, ${settings.sqsPollers} SQS pollers; ` +
      `load average ${loadavg()
        .map((load) => load.toFixed(2))
        .join(" ")}`,
  );
  try {
    const rates = await measureAll(cases, settings);
    console.log(
      `\nload average after: ${loadavg()
        .map((load) => load.toFixed(2))
        .join(" ")}`,
    );
    report(cases, rates);
    await writeResults(rates);
  } finally {
    await fauxqs.stop();
  }
}

if (isMainThread) {
  await main();
} else {
  const { id, settings } = workerData as { id: CaseId; settings: BenchSettings };
  const { openCase } = await import("./transport-cases.ts");
  await serveCaseThread(key(id), () => openCase(id, settings));
}
