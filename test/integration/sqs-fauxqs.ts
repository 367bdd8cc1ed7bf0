/**
 * fauxqs (an in-process SQS/SNS/S3 emulator) for the SQS transport's integration tests: started on a random
 * loopback port, with SDK clients pointed at it and fixed credentials, so that nothing reaches AWS or asks the
 * instance metadata service for credentials.
 */
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { startFauxqs } from "fauxqs";
import type { SqsTransportOptions } from "thrift-queue";

/** Credentials fauxqs accepts (it accepts any). */
export const FAUXQS_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" } as const;

/** A running fauxqs and clients of it. */
export interface Fauxqs {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly sqs: SQSClient;
  readonly s3: S3Client;
  /** Transport options that reach this fauxqs (endpoint, region, credentials; no environment overrides). */
  readonly transportOptions: Pick<SqsTransportOptions, "endpoint" | "region" | "credentials" | "useEnvironment">;
  /** Creates a bucket. */
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

/** Starts fauxqs on a random port of 127.0.0.1. */
export async function startTestFauxqs(): Promise<Fauxqs> {
  const server = await startFauxqs({ port: 0, host: "127.0.0.1", logger: false });
  const endpoint = server.address;
  const region = "us-east-1";
  const sqs = new SQSClient({ endpoint, region, credentials: FAUXQS_CREDENTIALS });
  const s3 = new S3Client({ endpoint, region, credentials: FAUXQS_CREDENTIALS, forcePathStyle: true });
  return {
    endpoint,
    sqs,
    s3,
    transportOptions: { endpoint, region, credentials: FAUXQS_CREDENTIALS, useEnvironment: false },
    async createBucket(name) {
      await s3.send(new CreateBucketCommand({ Bucket: name }));
    },
    async stop() {
      sqs.destroy();
      s3.destroy();
      await server.stop();
    },
  };
}
