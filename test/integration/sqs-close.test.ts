/**
 * Closing the SQS transport against fauxqs while a long poll (WaitTimeSeconds 20) is running: close aborts the
 * ReceiveMessage call and returns at once instead of waiting for the poll, and no message is lost — one the
 * abandoned poll may still take on the server comes back after its visibility timeout.
 */
import { randomUUID } from "node:crypto";
import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { SqsTransport, type Delivery, type SqsTransportOptions } from "thrift-queue";
import { message } from "../conformance/transport-conformance.ts";
import { receiveOne } from "../conformance/receive-helpers.ts";
import { FAUXQS_CREDENTIALS, startTestFauxqs, type Fauxqs } from "./sqs-fauxqs.ts";

let fauxqs: Fauxqs;
const clients: SQSClient[] = [];
const opened: SqsTransport[] = [];

beforeAll(async () => {
  fauxqs = await startTestFauxqs();
});

afterEach(async () => {
  await Promise.allSettled(opened.splice(0).map((transport) => transport.close({ drainTimeoutMs: 0 })));
  for (const client of clients.splice(0)) client.destroy();
});

afterAll(async () => {
  await fauxqs.stop();
});

/** An SDK client whose ReceiveMessage calls are recorded with the abort signal each was given. */
function recordingClient(): { client: SQSClient; receives: (AbortSignal | undefined)[] } {
  const client = new SQSClient({ endpoint: fauxqs.endpoint, region: "us-east-1", credentials: FAUXQS_CREDENTIALS });
  clients.push(client);
  const receives: (AbortSignal | undefined)[] = [];
  type Send = (command: unknown, options?: { abortSignal?: AbortSignal }) => Promise<unknown>;
  const send = client.send.bind(client) as Send;
  const recording: Send = (command, options) => {
    if (command instanceof ReceiveMessageCommand) receives.push(options?.abortSignal);
    return send(command, options);
  };
  Object.assign(client, { send: recording });
  return { client, receives };
}

async function open(options: Partial<SqsTransportOptions>): Promise<SqsTransport> {
  const transport = new SqsTransport({ ...fauxqs.transportOptions, create: true, queue: "", ...options });
  opened.push(transport);
  await transport.queueUrls();
  return transport;
}

/** After a transport on `queue` closed, another one on it sends and receives: nothing is left holding the queue. */
async function expectQueueStillServes(queue: string): Promise<void> {
  const other = await open({ queue, waitTimeSeconds: 1, leaseMs: 2000 });
  const sent = message("after close");
  await other.send([sent]);
  const delivery = await receiveOne(other, { timeoutMs: 10_000 });
  expect(delivery.id).toBe(sent.id);
  await delivery.ack();
}

describe("SQS transport close", () => {
  it("aborts a running 20 s long poll and returns at once; a message sent after is still delivered", async () => {
    const queue = `sqs-close-${randomUUID().slice(0, 8)}`;
    const { client, receives } = recordingClient();
    // A 2 s lease: a message the abandoned poll takes on the server is visible again 2 s later.
    const closing = await open({ queue, sqsClient: client, waitTimeSeconds: 20, leaseMs: 2000, pollers: 1 });
    const seen: Delivery[] = [];
    const iteration = (async () => {
      for await (const delivery of closing.receive({ maxInFlight: 1 })) seen.push(delivery);
    })();
    await vi.waitFor(() => expect(receives).toHaveLength(1), { timeout: 5000, interval: 20 });
    // Let the request reach fauxqs, where it waits for a message.
    await new Promise((resolve) => setTimeout(resolve, 300));

    const started = performance.now();
    await closing.close({ drainTimeoutMs: 30_000 });
    const closeMs = performance.now() - started;
    await iteration;
    expect(closeMs).toBeLessThan(2000);
    expect(receives[0]?.aborted).toBe(true);
    expect(receives).toHaveLength(1);
    expect(seen).toHaveLength(0);

    await expectQueueStillServes(queue);
  }, 30_000);

  it("aborts the long poll of the clients the transport makes itself (their middleware cached) as well", async () => {
    const queue = `sqs-close-${randomUUID().slice(0, 8)}`;
    const closing = await open({ queue, waitTimeSeconds: 20, leaseMs: 2000, pollers: 1 });
    const iteration = (async () => {
      for await (const delivery of closing.receive({ maxInFlight: 1 })) await delivery.ack();
    })();
    // Let the poll reach fauxqs, where it waits for a message.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const started = performance.now();
    await closing.close({ drainTimeoutMs: 30_000 });
    expect(performance.now() - started).toBeLessThan(2000);
    await iteration;

    await expectQueueStillServes(queue);
  }, 30_000);

  it("still waits up to the drain timeout for deliveries handed out, while the poll is aborted", async () => {
    const queue = `sqs-close-${randomUUID().slice(0, 8)}`;
    const { client, receives } = recordingClient();
    const closing = await open({ queue, sqsClient: client, waitTimeSeconds: 20, leaseMs: 30_000, pollers: 1 });
    await closing.send([message("held")]);
    const handedOut: Delivery[] = [];
    const iteration = (async () => {
      for await (const delivery of closing.receive({ maxInFlight: 10 })) handedOut.push(delivery);
    })();
    // The first poll brings the message; the next one waits on the now empty queue.
    await vi.waitFor(() => expect(handedOut).toHaveLength(1), { timeout: 5000, interval: 20 });
    await vi.waitFor(() => expect(receives.length).toBeGreaterThanOrEqual(2), { timeout: 5000, interval: 20 });

    const started = performance.now();
    const closed = closing.close({ drainTimeoutMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    // The poll is aborted at once; close waits for the delivery still held.
    expect(receives.at(-1)?.aborted).toBe(true);
    await handedOut[0]!.ack();
    await closed;
    await iteration;
    expect(performance.now() - started).toBeLessThan(3000);
    expect(await closing.stats().catch((error: unknown) => error)).toMatchObject({ code: "TRANSPORT_CLOSED" });

    const other = await open({ queue, waitTimeSeconds: 1 });
    expect(await other.stats()).toMatchObject({ visible: 0, inFlight: 0 });
  }, 30_000);
});
