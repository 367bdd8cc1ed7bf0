/**
 * The SQLite transport across real processes sharing one queue file: each message goes to exactly one process
 * within a lease and none is lost, a consumer killed mid-lease gives its message back when the lease runs out,
 * and whatever `send` accepted survives the sender's death and the transport's close.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { SqliteTransport } from "thrift-queue";
import { message } from "../conformance/transport-conformance.ts";
import { receiveUpTo, sleep } from "../conformance/receive-helpers.ts";
import type { WorkerArguments } from "./fixtures/sqlite-queue-worker.ts";

const WORKER = fileURLToPath(new URL("./fixtures/sqlite-queue-worker.ts", import.meta.url));
const directory = mkdtempSync(join(tmpdir(), "tq-sqlite-processes-"));
let fileCount = 0;

/** A line a worker printed. */
interface WorkerEvent {
  readonly event: "ready" | "delivered" | "holding" | "sent";
  readonly pid: number;
  readonly at: number;
  readonly id?: string;
  readonly attempt?: number;
  readonly ids?: readonly string[];
}

/** A running worker process and what it has reported so far. */
class Worker {
  readonly events: WorkerEvent[] = [];
  readonly exited: Promise<void>;
  private readonly child: ChildProcess;
  private stderr = "";

  constructor(args: WorkerArguments) {
    this.child = spawn(process.execPath, [WORKER, JSON.stringify(args)], { stdio: ["pipe", "pipe", "pipe"] });
    this.child.stderr?.on("data", (chunk: Buffer) => (this.stderr += chunk.toString()));
    if (this.child.stdout) {
      createInterface({ input: this.child.stdout }).on("line", (line) =>
        this.events.push(JSON.parse(line) as WorkerEvent),
      );
    }
    this.exited = new Promise((resolve) => this.child.on("close", () => resolve()));
  }

  /** Resolves with the first event that matches, failing after `timeoutMs`. */
  async waitFor(predicate: (event: WorkerEvent) => boolean, timeoutMs = 20_000): Promise<WorkerEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(predicate);
      if (found) return found;
      if (Date.now() > deadline || this.child.exitCode !== null) {
        throw new Error(`worker ${this.child.pid} did not report in time; stderr:\n${this.stderr}`);
      }
      await sleep(10);
    }
  }

  /** Ends the worker cleanly (its stdin closes) and waits for it. */
  async stop(): Promise<void> {
    this.child.stdin?.end();
    await this.exited;
    expect(this.child.exitCode, this.stderr).toBe(0);
  }

  /** Kills the worker at once, as a crash would, and waits for it. */
  async kill(): Promise<void> {
    this.child.kill("SIGKILL");
    await this.exited;
  }
}

const workers: Worker[] = [];
const transports: SqliteTransport[] = [];

function startWorker(args: WorkerArguments): Worker {
  const worker = new Worker(args);
  workers.push(worker);
  return worker;
}

function openTransport(path: string, queue = "jobs"): SqliteTransport {
  const transport = new SqliteTransport({ path, queue });
  transports.push(transport);
  return transport;
}

function freshFile(): string {
  return join(directory, `queue-${++fileCount}.db`);
}

afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.kill()));
  await Promise.all(transports.splice(0).map((transport) => transport.close({ drainTimeoutMs: 0 })));
});

afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe("SQLite transport across processes", () => {
  it("hands every message to exactly one of three consumer processes, losing none", async () => {
    const path = freshFile();
    const producer = openTransport(path);
    const consumers = [1, 2, 3].map(() =>
      startWorker({ mode: "consume", path, queue: "jobs", leaseMs: 120_000, workMs: 2 }),
    );
    await Promise.all(consumers.map((consumer) => consumer.waitFor((event) => event.event === "ready")));
    const sent: string[] = [];
    for (let batch = 0; batch < 30; batch++) {
      const messages = Array.from({ length: 10 }, (_, index) => message(`job ${batch}.${index}`));
      await producer.send(messages);
      sent.push(...messages.map((sentMessage) => sentMessage.id));
      await sleep(5);
    }
    const deliveries = () => consumers.flatMap((consumer) => consumer.events.filter((e) => e.event === "delivered"));
    const deadline = Date.now() + 30_000;
    while (new Set(deliveries().map((event) => event.id)).size < sent.length && Date.now() < deadline) await sleep(20);
    await sleep(300); // time for any duplicate to show
    await Promise.all(consumers.map((consumer) => consumer.stop()));

    const delivered = deliveries();
    expect(delivered.map((event) => event.id).sort()).toEqual([...sent].sort());
    expect(delivered.every((event) => event.attempt === 1)).toBe(true);
    expect(new Set(delivered.map((event) => event.pid)).size).toBeGreaterThanOrEqual(2);
    expect(await producer.stats()).toMatchObject({ visible: 0, inFlight: 0, delayed: 0, deadLettered: 0 });
  }, 60_000);

  it("redelivers the message of a consumer killed mid-lease to another process once the lease runs out", async () => {
    const path = freshFile();
    const producer = openTransport(path);
    const leaseMs = 2_500;
    const victim = message("held by a process that dies");
    const bystander = message("sent after");
    await producer.send([victim]);
    await producer.send([bystander]);
    const holder = startWorker({ mode: "hold", path, queue: "jobs", leaseMs });
    const holding = await holder.waitFor((event) => event.event === "holding");
    expect(holding).toMatchObject({ id: victim.id, attempt: 1 });
    await holder.kill();

    const rescuer = startWorker({ mode: "consume", path, queue: "jobs", leaseMs: 60_000 });
    const other = await rescuer.waitFor((event) => event.id === bystander.id);
    expect(other.at - holding.at).toBeLessThan(leaseMs);
    const redelivered = await rescuer.waitFor((event) => event.id === victim.id);
    expect(redelivered.attempt).toBe(2);
    expect(redelivered.at - holding.at).toBeGreaterThanOrEqual(leaseMs - 50);
    await rescuer.stop();
    expect(await producer.stats()).toMatchObject({ visible: 0, inFlight: 0 });
  }, 30_000);

  it("keeps what send accepted when the sending process is killed", async () => {
    const path = freshFile();
    const sender = startWorker({ mode: "send", path, queue: "jobs", leaseMs: 30_000, count: 20 });
    const { ids = [] } = await sender.waitFor((event) => event.event === "sent");
    await sender.kill();
    const consumer = openTransport(path);
    const received = await receiveUpTo(consumer, 21, { timeoutMs: 1_000, maxInFlight: 25 });
    expect(received.map((delivery) => delivery.id)).toEqual(ids);
    expect(new TextDecoder().decode(received[0]?.payload)).toBe("from child 0");
    await Promise.all(received.map((delivery) => delivery.ack()));
  }, 30_000);

  it("keeps messages, delays, attempts and dead letters across close and reopen", async () => {
    const path = freshFile();
    const first = openTransport(path);
    const kept = [message("one"), message("two")];
    const third = message("three");
    await first.send([...kept, third, message("later", { delayMs: 60_000 })]);
    const [nacked] = await receiveUpTo(first, 1, { timeoutMs: 1_000 });
    expect(nacked?.id).toBe(kept[0]?.id);
    await nacked?.nack({ reason: "not yet" });
    const otherQueue = openTransport(path, "other");
    const poison = message("poison");
    await otherQueue.send([poison]);
    const [rejected] = await receiveUpTo(otherQueue, 1, { timeoutMs: 1_000 });
    await rejected?.deadLetter("CODEC_TRUNCATED: cut short");
    await first.close();
    await otherQueue.close();

    const second = openTransport(path);
    expect(await second.stats()).toMatchObject({ visible: 3, inFlight: 0, delayed: 1, deadLettered: 0 });
    const received = await receiveUpTo(second, 3, { timeoutMs: 1_000 });
    expect(received.map((delivery) => delivery.id).sort()).toEqual([...kept, third].map((sent) => sent.id).sort());
    const again = received.find((delivery) => delivery.id === kept[0]?.id);
    expect(again?.attempt).toBe(2);
    expect(again?.payload).toEqual(kept[0]?.payload);
    expect(again?.metadata).toEqual(kept[0]?.metadata);
    await Promise.all(received.map((delivery) => delivery.ack()));

    const reopenedOther = openTransport(path, "other");
    expect(await reopenedOther.stats()).toMatchObject({ visible: 0, deadLettered: 1 });
    const [dead] = await receiveUpTo(reopenedOther, 1, { timeoutMs: 1_000, deadLetters: true });
    expect(dead?.id).toBe(poison.id);
    expect(dead?.metadata).toEqual({ ...poison.metadata, "dead-letter-reason": "CODEC_TRUNCATED: cut short" });
    expect(await reopenedOther.redrive()).toBe(0); // still leased by the dead-letter read above
    await dead?.nack();
    expect(await reopenedOther.redrive()).toBe(1);
    const [redriven] = await receiveUpTo(reopenedOther, 1, { timeoutMs: 1_000 });
    expect(redriven).toMatchObject({ id: poison.id, attempt: 1, metadata: poison.metadata });
    await redriven?.ack();
    expect(await reopenedOther.stats()).toMatchObject({ visible: 0, inFlight: 0, deadLettered: 0 });
  });
});
