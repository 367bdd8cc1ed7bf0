/**
 * Opening the AMQP transport from a parsed `amqp://…?queue=<queue>` or `amqps://…` URL, for `openTransport`.
 * Parameters beyond the common ones: `type` (`classic` or `quorum`), `maxPayloadBytes` and `unavailableTimeoutMs`
 * (which then also bounds each connection attempt, so that a short wait stays short when a host never answers)
 * and `ca` (for `amqps://`, a PEM file of the CAs to trust; else `THRIFT_QUEUE_AMQP_CA` from the environment
 * `openTransport` passes); amqplib reads `heartbeat`, `frameMax`, `channelMax`, `locale` and `maxFrameSize` from
 * the same URL.
 */
import type { CommonTransportSettings, TransportEnvironment } from "../open-transport.ts";
import type { Transport } from "../transport.ts";
import { numericParam, type TransportUrl } from "../transport-url.ts";

/** The opener of the `amqp` family (imported lazily, like every family; amqplib loads on first connection). */
export async function openAmqpTransport(
  url: TransportUrl,
  settings: CommonTransportSettings,
  environment: TransportEnvironment,
): Promise<Transport> {
  const { AmqpTransport } = await import("./amqp-transport.ts");
  const maxPayloadBytes = numericParam(url, "maxPayloadBytes", Number.NaN);
  const unavailableTimeoutMs = numericParam(url, "unavailableTimeoutMs", Number.NaN);
  return new AmqpTransport({
    url: url.url.toString(),
    queue: url.queue,
    ...settings,
    environment,
    ...(Number.isNaN(maxPayloadBytes) ? {} : { maxPayloadBytes }),
    ...(Number.isNaN(unavailableTimeoutMs)
      ? {}
      : { unavailableTimeoutMs, socketOptions: { timeout: Math.min(unavailableTimeoutMs, 10_000) } }),
  });
}
