/** Options of the SQS transport: URLs, environment overrides, defaults and validation. */
import { describe, expect, it } from "vitest";
import { ConfigError } from "thrift-queue";
import { inlinePayloadLimit, resolveSqsOptions } from "../../../../src/transport/sqs/sqs-options.ts";
import { environmentName } from "../../../../src/transport/sqs/sqs-parameters.ts";

const noEnvironment = { useEnvironment: false } as const;

describe("resolveSqsOptions", () => {
  it("applies the defaults", () => {
    const resolved = resolveSqsOptions({ queue: "jobs", ...noEnvironment });
    expect(resolved).toMatchObject({
      queue: "jobs",
      queueUrl: undefined,
      fifo: false,
      deadLetterQueue: "jobs-dead",
      region: undefined,
      endpoint: undefined,
      maxAttempts: 5,
      leaseMs: 30_000,
      create: false,
      pollers: 2,
      waitTimeSeconds: 20,
      maxMessageBytes: 1_048_576,
      offloadBucket: undefined,
      offloadThresholdBytes: 262_144,
      keepOffloadedPayloads: false,
      maxPayloadBytes: inlinePayloadLimit(1_048_576),
      maxMetadataEntries: 9,
      fifoGroupId: "default",
    });
    expect(inlinePayloadLimit(1_048_576)).toBe(780_288);
  });

  it("reads sqs:// URLs: queue, region, endpoint and every other parameter", () => {
    const resolved = resolveSqsOptions({
      url: "sqs://orders.fifo?region=eu-west-1&endpoint=http://127.0.0.1:4566&create=true&pollers=4&waitTimeSeconds=5&bucket=big-payloads&offloadThresholdBytes=1000&keepOffloadedPayloads=1&maxAttempts=3&leaseMs=1500&fifoGroupId=g",
      ...noEnvironment,
    });
    expect(resolved).toMatchObject({
      queue: "orders.fifo",
      fifo: true,
      deadLetterQueue: "orders-dead.fifo",
      region: "eu-west-1",
      endpoint: "http://127.0.0.1:4566",
      s3Endpoint: "http://127.0.0.1:4566",
      s3ForcePathStyle: true,
      create: true,
      pollers: 4,
      waitTimeSeconds: 5,
      offloadBucket: "big-payloads",
      offloadThresholdBytes: 1000,
      keepOffloadedPayloads: true,
      maxAttempts: 3,
      leaseMs: 1500,
      fifoGroupId: "g",
      maxPayloadBytes: 256 * 1024 * 1024,
      maxMetadataEntries: 8,
    });
  });

  it("reads AWS queue URLs (region from the host) and emulator queue URLs (endpoint from the origin)", () => {
    const aws = resolveSqsOptions({
      url: "https://sqs.eu-central-1.amazonaws.com/123456789012/jobs",
      ...noEnvironment,
    });
    expect(aws).toMatchObject({
      queue: "jobs",
      queueUrl: "https://sqs.eu-central-1.amazonaws.com/123456789012/jobs",
      region: "eu-central-1",
      endpoint: undefined,
    });
    const local = resolveSqsOptions({ url: "http://localhost:4566/000000000000/jobs?create=true", ...noEnvironment });
    expect(local).toMatchObject({
      queue: "jobs",
      queueUrl: "http://localhost:4566/000000000000/jobs",
      endpoint: "http://localhost:4566",
      region: "us-east-1",
      create: true,
    });
  });

  it("lets the URL override the options object, and the environment override both", () => {
    const resolved = resolveSqsOptions({
      url: "sqs://jobs?region=eu-west-1&pollers=3",
      region: "us-west-2",
      pollers: 1,
      waitTimeSeconds: 10,
      environment: {
        THRIFT_QUEUE_SQS_POLLERS: "5",
        THRIFT_QUEUE_SQS_BUCKET: "from-env",
        THRIFT_QUEUE_MAX_ATTEMPTS: "9",
      },
    });
    expect(resolved).toMatchObject({ region: "eu-west-1", pollers: 5, waitTimeSeconds: 10, offloadBucket: "from-env" });
    // openTransport applies THRIFT_QUEUE_MAX_ATTEMPTS to the URL itself; the transport does not read it again.
    expect(resolved.maxAttempts).toBe(5);
  });

  it("names environment variables after the URL parameters", () => {
    expect(environmentName("region")).toBe("THRIFT_QUEUE_SQS_REGION");
    expect(environmentName("offloadThresholdBytes")).toBe("THRIFT_QUEUE_SQS_OFFLOAD_THRESHOLD_BYTES");
    expect(environmentName("s3ForcePathStyle")).toBe("THRIFT_QUEUE_SQS_S3_FORCE_PATH_STYLE");
    expect(environmentName("maxAttempts")).toBeUndefined();
  });

  it("accepts a queue URL as the queue option", () => {
    const resolved = resolveSqsOptions({
      queue: "https://sqs.us-east-2.amazonaws.com/123456789012/a_b",
      ...noEnvironment,
    });
    expect(resolved).toMatchObject({ queue: "a_b", region: "us-east-2", deadLetterQueue: "a_b-dead" });
  });

  it("reports every bad field at once", () => {
    const attempt = (): unknown =>
      resolveSqsOptions({
        url: "sqs://bad!name?pollers=x&create=maybe&color=blue",
        maxAttempts: 0,
        leaseMs: 43_200_001,
        waitTimeSeconds: 21,
        offloadThresholdBytes: 2_000_000,
        endpoint: "ftp://x",
        ...noEnvironment,
      });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(
      /pollers must be an integer.*create must be true or false.*unknown URL parameter "color".*queue "bad!name".*maxAttempts.*leaseMs.*waitTimeSeconds.*offloadThresholdBytes.*endpoint must be an http\(s\) URL/,
    );
  });

  it("refuses a missing queue, a mismatched dead-letter queue, payloads past the limit and other URL kinds", () => {
    expect(() => resolveSqsOptions({ ...noEnvironment })).toThrow(/queue is missing/);
    expect(() => resolveSqsOptions({ queue: "a.fifo", deadLetterQueue: "a-dead", ...noEnvironment })).toThrow(
      /FIFO queue \(\.fifo\) exactly when/,
    );
    expect(() => resolveSqsOptions({ queue: "a", maxPayloadBytes: 800_000, ...noEnvironment })).toThrow(
      /maxPayloadBytes must be an integer from 0 to 780288/,
    );
    expect(() => resolveSqsOptions({ url: "amqp://h?queue=a", ...noEnvironment })).toThrow(/not a amqp URL/);
    expect(() => resolveSqsOptions({ queue: "a".repeat(76), ...noEnvironment })).toThrow(/deadLetterQueue/);
  });
});
