/**
 * Opening the SQS transport from a parsed `sqs://<queue>?region=…&endpoint=…` URL or a full queue URL
 * (`https://sqs.<region>.amazonaws.com/<account>/<queue>`), for `openTransport`. Every query parameter is listed
 * in sqs-parameters.ts; `THRIFT_QUEUE_SQS_*` environment variables override them, read from the environment
 * `openTransport` passes (none with `useEnvironment: false`).
 */
import type { CommonTransportSettings, TransportEnvironment } from "../open-transport.ts";
import type { Transport } from "../transport.ts";
import type { TransportUrl } from "../transport-url.ts";

/** The opener of the `sqs` family (imported lazily, like every family; the AWS SDK loads on first use). */
export async function openSqsTransport(
  url: TransportUrl,
  settings: CommonTransportSettings,
  environment: TransportEnvironment,
): Promise<Transport> {
  const { SqsTransport } = await import("./sqs-transport.ts");
  return new SqsTransport({ ...settings, url: url.url.toString(), environment });
}
