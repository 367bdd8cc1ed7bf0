/**
 * Finds a RabbitMQ broker for the AMQP integration tests: `AMQP_URL`, else the local one on 127.0.0.1:5672
 * (guest/guest), else — when a Docker engine answers — a throwaway container started with the docker CLI. Also
 * the raw amqplib helpers the tests use to act on the broker behind the transport's back.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import amqplib, { type ChannelModel } from "amqplib";
import { afterAll, describe, it } from "vitest";

const run = promisify(execFile);
const LOCAL_URL = "amqp://guest:guest@127.0.0.1:5672";
const CONTAINER_IMAGE = "rabbitmq:3.13-alpine";

/** A reachable broker. */
export interface AmqpBroker {
  readonly url: string;
  /** Stops what the lookup started (a container); nothing for an existing broker. */
  stop(): Promise<void>;
}

/** The outcome of {@link findAmqpBroker}: a broker, or why there is none. */
export type BrokerLookup = { readonly broker: AmqpBroker } | { readonly broker: undefined; readonly reason: string };

/** Opens a raw connection, giving up after `timeoutMs`. */
export async function rawConnection(url: string, timeoutMs = 3000): Promise<ChannelModel> {
  const model = await amqplib.connect(url, { timeout: timeoutMs });
  model.on("error", () => undefined);
  return model;
}

async function answers(url: string): Promise<boolean> {
  try {
    await (await rawConnection(url)).close();
    return true;
  } catch {
    return false;
  }
}

async function startContainer(): Promise<AmqpBroker | undefined> {
  try {
    await run("docker", ["info"], { timeout: 5000 });
  } catch {
    return undefined;
  }
  const { stdout } = await run("docker", ["run", "-d", "--rm", "-p", "127.0.0.1::5672", CONTAINER_IMAGE]);
  const id = stdout.trim();
  const stop = async (): Promise<void> => {
    await run("docker", ["rm", "-f", id]).catch(() => undefined);
  };
  const port = (await run("docker", ["port", id, "5672/tcp"])).stdout.trim().split(":").pop();
  const url = `amqp://guest:guest@127.0.0.1:${port}`;
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    if (await answers(url)) return { url, stop };
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  await stop();
  return undefined;
}

/** Looks for a broker in the order the module comment gives. */
export async function findAmqpBroker(): Promise<BrokerLookup> {
  const candidates = process.env["AMQP_URL"] ? [process.env["AMQP_URL"]] : [LOCAL_URL];
  for (const url of candidates) {
    if (await answers(url)) return { broker: { url, stop: () => Promise.resolve() } };
  }
  const container = await startContainer().catch(() => undefined);
  if (container) return { broker: container };
  return {
    broker: undefined,
    reason: `no RabbitMQ at ${candidates.map((url) => url.replace(/:[^:@/]*@/, ":***@")).join(", ")} and no Docker engine`,
  };
}

/** Whether this run is CI, where a missing broker must fail the tests rather than skip them. */
export function underCi(): boolean {
  const value = process.env["CI"];
  return value !== undefined && value !== "" && value !== "0" && value !== "false";
}

/**
 * Runs `suite` with a broker; without one, fails under CI and skips (saying why) elsewhere. Stops a container
 * the lookup started once the file is done.
 */
export function withAmqpBroker(name: string, lookup: BrokerLookup, suite: (broker: AmqpBroker) => void): void {
  if (lookup.broker) {
    const { broker } = lookup;
    afterAll(() => broker.stop());
    suite(broker);
    return;
  }
  const { reason } = lookup;
  if (underCi()) {
    describe(name, () => {
      it("needs a RabbitMQ broker under CI", () => {
        throw new Error(`${reason}: start RabbitMQ or set AMQP_URL`);
      });
    });
    return;
  }
  describe.skip(`${name} (skipped: ${reason})`, () => {
    it("needs a RabbitMQ broker", () => undefined);
  });
}

/** What a suite opens on the broker, cleaned up after it: see {@link cleanUpAfterAll}. */
export interface SuiteResources {
  /** Queue names: each is deleted, with the queues named after it by `suffixes`. */
  readonly queues: string[];
  /** Transports, closed without draining. */
  readonly transports: { close(options: { drainTimeoutMs: number }): Promise<void> }[];
}

/**
 * Lists for a suite's queues and transports; after the suite its transports close and its queues are deleted,
 * each with the queues the transport made beside it (`suffixes`, e.g. `.dead`).
 */
export function cleanUpAfterAll(broker: AmqpBroker, suffixes: readonly string[]): SuiteResources {
  const resources: SuiteResources = { queues: [], transports: [] };
  afterAll(async () => {
    await Promise.allSettled(resources.transports.map((transport) => transport.close({ drainTimeoutMs: 0 })));
    const names = resources.queues.flatMap((queue) => [queue, ...suffixes.map((suffix) => `${queue}${suffix}`)]);
    await deleteQueues(broker.url, names);
  });
  return resources;
}

/** Deletes queues by name on a raw connection (a missing queue is fine). */
export async function deleteQueues(url: string, names: Iterable<string>): Promise<void> {
  const model = await rawConnection(url);
  try {
    const channel = await model.createChannel();
    for (const name of new Set(names)) await channel.deleteQueue(name);
  } finally {
    await model.close().catch(() => undefined);
  }
}
