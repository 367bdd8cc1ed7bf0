/**
 * Where offloaded SQS bodies live: S3 objects whose content is the message body (the payload's base64 text), as
 * the AWS SQS Extended Client Library stores them. The one place that loads `@aws-sdk/client-s3`, on first use.
 */
import type { S3Client, S3ClientConfig } from "@aws-sdk/client-s3";
import type * as S3Sdk from "@aws-sdk/client-s3";
import { awsErrorCode } from "./sqs-errors.ts";
import type { PayloadPointer } from "./sqs-pointer.ts";

/** Stores, reads and deletes offloaded bodies. Methods reject with the SDK's error. */
export interface PayloadStore {
  put(pointer: PayloadPointer, body: string): Promise<void>;
  /** The body, or undefined when the object (or its bucket) does not exist. */
  get(pointer: PayloadPointer): Promise<string | undefined>;
  /** Deletes the object; deleting one that is gone succeeds. */
  delete(pointer: PayloadPointer): Promise<void>;
  /** Releases the client's sockets, when the store created the client. */
  destroy(): void;
}

type S3Module = typeof S3Sdk;

let sdk: Promise<S3Module> | undefined;

const MISSING_CODES = new Set(["NoSuchKey", "NoSuchBucket", "NotFound"]);

/** A {@link PayloadStore} over an SDK client: the one given (never destroyed here), or one made on first use. */
export function createS3PayloadStore(client: S3Client | undefined, config: S3ClientConfig): PayloadStore {
  let made: S3Client | undefined;
  const connect = async (): Promise<{ s3: S3Module; client: S3Client }> => {
    sdk ??= import("@aws-sdk/client-s3");
    const s3 = await sdk;
    if (client) return { s3, client };
    made ??= new s3.S3Client(config);
    return { s3, client: made };
  };
  return {
    async put({ bucket, key }, body) {
      const { s3, client } = await connect();
      await client.send(new s3.PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: "text/plain" }));
    },
    async get({ bucket, key }) {
      const { s3, client } = await connect();
      try {
        const output = await client.send(new s3.GetObjectCommand({ Bucket: bucket, Key: key }));
        return (await output.Body?.transformToString("utf-8")) ?? "";
      } catch (error) {
        const code = awsErrorCode(error);
        if (code !== undefined && MISSING_CODES.has(code)) return undefined;
        throw error;
      }
    },
    async delete({ bucket, key }) {
      const { s3, client } = await connect();
      await client.send(new s3.DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
    destroy() {
      made?.destroy();
    },
  };
}
