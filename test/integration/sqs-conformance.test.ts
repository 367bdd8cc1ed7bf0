/** The SQS transport passes the transport conformance suite against fauxqs, started in-process on a random port. */
import { GetQueueUrlCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll } from "vitest";
import { SqsTransport } from "thrift-queue";
import { runTransportConformance } from "../conformance/transport-conformance.ts";
import { startTestFauxqs, type Fauxqs } from "./sqs-fauxqs.ts";

const BUCKET = "thrift-queue-conformance";
let fauxqs: Fauxqs;

beforeAll(async () => {
  fauxqs = await startTestFauxqs();
  await fauxqs.createBucket(BUCKET);
});

afterAll(async () => {
  await fauxqs.stop();
});

runTransportConformance("sqs", {
  async open(queue, options) {
    const transport = new SqsTransport({
      ...fauxqs.transportOptions,
      queue,
      ...options,
      create: true,
      offloadBucket: BUCKET,
      maxPayloadBytes: 4 * 1024 * 1024,
    });
    await transport.queueUrls();
    return transport;
  },
  // A message another program sent that is not an envelope: no job-id attribute, a body that is not base64.
  async injectMalformed(queue) {
    const { QueueUrl } = await fauxqs.sqs.send(new GetQueueUrlCommand({ QueueName: queue }));
    await fauxqs.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "not an envelope!" }));
  },
  // SQS leases (visibility timeouts) and delays are whole seconds.
  unitMs: 1000,
});
