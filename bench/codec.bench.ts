/**
 * `npm run bench:codec`: encodes and decodes the representative job of bench/fixtures/job.thrift with thrift-queue's
 * generated codec, the npm `thrift` library (TBinaryProtocol and TCompactProtocol) and protobufjs (job.proto),
 * prints ops/s with the ratios against the targets, and writes bench/results/codec.json.
 *
 * Method: every (library, protocol) lives in its own worker thread, so none inherits another's JIT feedback or
 * garbage, as in an application that uses one of them. Only one worker runs at a time. Each direction is warmed up,
 * then timed with process.hrtime.bigint() over ROUNDS rounds that take turns across all cases, so a burst of load
 * from other processes hits every case alike rather than one; the median round is reported. Decoding decodes the
 * bytes that library encoded. bench/codec-cases.ts shows how each library is driven.
 */
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import process from "node:process";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import type { ProtocolName } from "../src/index.ts";
import { codecCase, PLAIN_SAMPLE } from "./codec-cases.ts";
import type { LibraryName } from "./codec-cases.ts";

const WARMUP_MS = 500;
const ROUNDS = 21;
const ROUND_MS = 120;
/** Operations per timed batch grow until one batch takes this long, so reading the clock costs nothing. */
const BATCH_MS = 5;

type Direction = "encode" | "decode";
const DIRECTIONS: readonly Direction[] = ["encode", "decode"];

/** Which case a worker measures. */
interface CaseId {
  readonly library: LibraryName;
  readonly protocol: ProtocolName;
}

/** What a worker reports for one timed round. */
interface Round {
  readonly opsPerSecond: number;
  /** CPU time the worker got divided by wall time: well below 1 means other processes took the CPU. */
  readonly cpuShare: number;
}

const CASES: readonly CaseId[] = [
  { library: "thrift-queue", protocol: "binary" },
  { library: "thrift-queue", protocol: "compact" },
  { library: "thrift", protocol: "binary" },
  { library: "thrift", protocol: "compact" },
  { library: "protobufjs", protocol: "binary" },
];

const key = ({ library, protocol }: CaseId): string => `${library}/${protocol}`;

/** Worker side: builds the case, then answers "warmup" and "round" requests from the main thread. */
function serveCase(id: CaseId): void {
  const codec = codecCase(id.library, id.protocol);
  const { sample } = codec;
  const bytes = codec.encode(sample);
  let sink = 0;
  // Each loop lives in its own closure, so each direction's call sites stay monomorphic.
  const runs: Record<Direction, (n: number) => void> = {
    encode(n) {
      for (let i = 0; i < n; i++) sink += codec.encode(sample).length;
    },
    decode(n) {
      for (let i = 0; i < n; i++) sink += codec.decode(bytes) === sample ? 1 : 0;
    },
  };
  const batches: Record<Direction, number> = { encode: 16, decode: 16 };
  const elapsedMs = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

  const warmUp = (direction: Direction): void => {
    const started = process.hrtime.bigint();
    while (elapsedMs(started) < WARMUP_MS) {
      const start = process.hrtime.bigint();
      runs[direction](batches[direction]);
      if (elapsedMs(start) < BATCH_MS) batches[direction] *= 2;
    }
  };
  const timeRound = (direction: Direction): Round => {
    const run = runs[direction];
    const batch = batches[direction];
    const cpuStart = process.threadCpuUsage();
    const start = process.hrtime.bigint();
    let ops = 0;
    let spent = 0;
    while (spent < ROUND_MS) {
      run(batch);
      ops += batch;
      spent = elapsedMs(start);
    }
    const cpu = process.threadCpuUsage(cpuStart);
    return { opsPerSecond: (ops / spent) * 1000, cpuShare: (cpu.user + cpu.system) / 1000 / spent };
  };

  const port = parentPort!;
  port.on("message", (request: { kind: "warmup" | "round"; direction: Direction }) => {
    if (request.kind === "warmup") {
      warmUp(request.direction);
      port.postMessage({ sink: sink & 1 });
    } else {
      port.postMessage(timeRound(request.direction));
    }
  });
}

/** Main side: a worker running {@link serveCase}, asked one request at a time. */
class CaseWorker {
  readonly id: CaseId;
  private readonly worker: Worker;
  private pending: { resolve: (value: unknown) => void; reject: (error: Error) => void } | undefined;

  constructor(id: CaseId) {
    this.id = id;
    this.worker = new Worker(new URL(import.meta.url), { workerData: id });
    this.worker.on("message", (value) => this.settle((p) => p.resolve(value)));
    this.worker.on("error", (error: Error) => this.settle((p) => p.reject(error)));
    this.worker.on("exit", (code) => this.settle((p) => p.reject(new Error(`${key(id)} worker exited (${code})`))));
  }

  ask<T>(kind: "warmup" | "round", direction: Direction): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending = { resolve: resolve as (value: unknown) => void, reject };
      this.worker.postMessage({ kind, direction });
    });
  }

  async stop(): Promise<void> {
    this.pending = undefined;
    await this.worker.terminate();
  }

  private settle(action: (pending: NonNullable<CaseWorker["pending"]>) => void): void {
    const pending = this.pending;
    this.pending = undefined;
    if (pending) action(pending);
  }
}

/** Every codec must round-trip the sample; both Thrift implementations must produce the same bytes. */
function checkSanity(): void {
  const encoded = new Map<string, Uint8Array>();
  for (const id of CASES) {
    const codec = codecCase(id.library, id.protocol);
    const bytes = codec.encode(codec.sample);
    assert.deepEqual(codec.toPlain(codec.sample), PLAIN_SAMPLE, `${key(id)}: sample`);
    assert.deepEqual(codec.toPlain(codec.decode(bytes)), PLAIN_SAMPLE, `${key(id)}: decoded value differs`);
    encoded.set(key(id), Uint8Array.from(bytes));
  }
  for (const protocol of ["binary", "compact"] as const) {
    const ours = encoded.get(`thrift-queue/${protocol}`);
    assert.deepEqual(ours, encoded.get(`thrift/${protocol}`), `${protocol}: bytes differ from the npm thrift library`);
    console.log(
      `sanity: ${protocol} ${ours?.length} bytes, identical to the npm thrift library's; all round trips equal`,
    );
  }
  console.log(`sanity: protobuf ${encoded.get("protobufjs/binary")?.length} bytes`);
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;

/** Runs every case; returns the median ops/s per case and direction, and the lowest median CPU share seen. */
async function measureAll(): Promise<{ rates: Map<string, Record<Direction, number>>; cpuShare: number }> {
  const workers = CASES.map((id) => new CaseWorker(id));
  try {
    for (const worker of workers) {
      for (const direction of DIRECTIONS) await worker.ask("warmup", direction);
    }
    const rounds = new Map(workers.map((w) => [key(w.id), { encode: [] as Round[], decode: [] as Round[] }]));
    console.log(`timing ${ROUNDS} rounds of ${ROUND_MS} ms per case and direction...`);
    for (let round = 0; round < ROUNDS; round++) {
      for (const worker of workers) {
        for (const direction of DIRECTIONS) {
          rounds.get(key(worker.id))![direction].push(await worker.ask<Round>("round", direction));
        }
      }
    }
    const rates = new Map<string, Record<Direction, number>>();
    let cpuShare = 1;
    for (const [name, byDirection] of rounds) {
      const ops = (direction: Direction): number => median(byDirection[direction].map((r) => r.opsPerSecond));
      rates.set(name, { encode: ops("encode"), decode: ops("decode") });
      for (const direction of DIRECTIONS) {
        cpuShare = Math.min(cpuShare, median(byDirection[direction].map((r) => r.cpuShare)));
      }
    }
    return { rates, cpuShare };
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
  }
}

function report(rates: Map<string, Record<Direction, number>>, cpuShare: number): boolean {
  const get = (library: LibraryName, protocol: ProtocolName = "binary"): Record<Direction, number> =>
    rates.get(`${library}/${protocol}`)!;
  const ops = (rate: number): string => Math.round(rate).toLocaleString("en-US").padStart(12);
  const times = (ratio: number): string => `${ratio.toFixed(2)}x`.padStart(7);

  console.log(
    `\n${"library".padEnd(14)}${"protocol".padEnd(10)}${"encode ops/s".padStart(12)}${"decode ops/s".padStart(14)}`,
  );
  for (const id of CASES) {
    const shown = id.library === "protobufjs" ? "protobuf" : id.protocol;
    const rate = get(id.library, id.protocol);
    console.log(`${id.library.padEnd(14)}${shown.padEnd(10)}${ops(rate.encode)}  ${ops(rate.decode)}`);
  }

  let allMet = true;
  const line = (label: string, ratio: number, target?: number): void => {
    const met = target === undefined || ratio >= target;
    allMet &&= met;
    const verdict = target === undefined ? "(information)" : `target >= ${target}x: ${met ? "met" : "NOT MET"}`;
    console.log(`${label.padEnd(42)}${times(ratio)}   ${verdict}`);
  };
  console.log("");
  for (const protocol of ["binary", "compact"] as const) {
    for (const direction of DIRECTIONS) {
      const ratio = get("thrift-queue", protocol)[direction] / get("thrift", protocol)[direction];
      line(`thrift-queue / thrift, ${protocol} ${direction}`, ratio, 10);
    }
  }
  for (const protocol of ["binary", "compact"] as const) {
    for (const direction of DIRECTIONS) {
      const ratio = get("thrift-queue", protocol)[direction] / get("protobufjs")[direction];
      line(`thrift-queue ${protocol} / protobufjs, ${direction}`, ratio, protocol === "binary" ? 1 : undefined);
    }
  }
  console.log(allMet ? "\nall targets met" : "\nsome targets NOT met");
  if (cpuShare < 0.9) {
    console.log(
      `note: the measuring thread got only ${Math.round(cpuShare * 100)}% of a CPU in some rounds (other processes ` +
        "were busy); wall-clock figures are lower than on an idle machine, ratios less affected.",
    );
  }
  return allMet;
}

async function writeResults(rates: Map<string, Record<Direction, number>>): Promise<void> {
  const rounded = (id: string): Record<Direction, number> => {
    const rate = rates.get(id)!;
    return { encode: Math.round(rate.encode), decode: Math.round(rate.decode) };
  };
  const results = {
    "thrift-queue": { binary: rounded("thrift-queue/binary"), compact: rounded("thrift-queue/compact") },
    thrift: { binary: rounded("thrift/binary"), compact: rounded("thrift/compact") },
    protobufjs: rounded("protobufjs/binary"),
  };
  const folder = new URL("results/", import.meta.url);
  await mkdir(folder, { recursive: true });
  await writeFile(new URL("codec.json", folder), `${JSON.stringify(results, null, 2)}\n`);
  console.log("wrote bench/results/codec.json");
}

if (isMainThread) {
  checkSanity();
  const { rates, cpuShare } = await measureAll();
  report(rates, cpuShare);
  await writeResults(rates);
} else {
  serveCase(workerData as CaseId);
}
