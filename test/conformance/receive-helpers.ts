/** Helpers for reading a bounded number of deliveries from a transport within a time limit. */
import type { Delivery, ReceiveOptions, Transport } from "thrift-queue";

/** Options of {@link receiveUpTo}. */
export interface ReceiveUpToOptions extends Omit<ReceiveOptions, "signal"> {
  /** Stop waiting after this many ms. */
  readonly timeoutMs: number;
}

/**
 * Receives until `count` deliveries arrived or the time is up, then ends the iteration (which releases anything
 * the transport prefetched but did not hand out). Deliveries are returned unsettled.
 */
export async function receiveUpTo(
  transport: Transport,
  count: number,
  options: ReceiveUpToOptions,
): Promise<Delivery[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  const received: Delivery[] = [];
  try {
    for await (const delivery of transport.receive({ ...options, signal: controller.signal })) {
      received.push(delivery);
      if (received.length >= count) break;
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return received;
}

/** Receives exactly one delivery or fails the test. */
export async function receiveOne(transport: Transport, options: ReceiveUpToOptions): Promise<Delivery> {
  const [delivery] = await receiveUpTo(transport, 1, options);
  if (!delivery)
    throw new Error(`no delivery from ${transport.kind}:${transport.queue} within ${options.timeoutMs} ms`);
  return delivery;
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
