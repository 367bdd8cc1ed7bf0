/**
 * The blob store on Amazon S3 (or an S3 emulator): `s3://<bucket>/<prefix>?region=…&endpoint=…`. Keys live under
 * the prefix. Credentials come from the SDK's usual chain (environment, profile, instance role).
 */
import {
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import process from "node:process";
import { checkBlobKey, type BlobStore } from "./blob-store.ts";
import { GrepError } from "./grep-error.ts";

/** Options of {@link S3BlobStore}. */
export interface S3BlobStoreOptions {
  readonly bucket: string;
  /** Prepended to every key (no leading `/`; a trailing one is added). @defaultValue "" */
  readonly prefix?: string;
  /** An S3 client (tests inject one); otherwise one is made from `region` and `endpoint`. */
  readonly client?: S3Client;
  /** @defaultValue AWS_REGION, else "us-east-1" */
  readonly region?: string;
  /** An S3-compatible endpoint (path-style addressing is used then). @defaultValue AWS's */
  readonly endpoint?: string;
}

/** A {@link BlobStore} over an S3 bucket. */
export class S3BlobStore implements BlobStore {
  readonly kind = "s3";
  private readonly client: S3Client;
  private readonly ownsClient: boolean;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(options: S3BlobStoreOptions) {
    this.bucket = options.bucket;
    const prefix = (options.prefix ?? "").replace(/^\/+|\/+$/g, "");
    this.prefix = prefix === "" ? "" : `${checkBlobKey(prefix)}/`;
    this.ownsClient = options.client === undefined;
    this.client =
      options.client ??
      new S3Client({
        region: options.region ?? process.env["AWS_REGION"] ?? "us-east-1",
        ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint, forcePathStyle: true }),
      });
  }

  /** Parses `s3://<bucket>/<prefix>?region=…&endpoint=…`; throws `BLOB_INVALID_URL`. */
  static fromUrl(urlText: string): S3BlobStore {
    let url: URL;
    try {
      url = new URL(urlText);
    } catch {
      throw new GrepError("BLOB_INVALID_URL", `invalid blob store URL ${JSON.stringify(urlText)}: not a URL`);
    }
    if (url.hostname === "") throw new GrepError("BLOB_INVALID_URL", `s3:// needs a bucket, e.g. s3://my-bucket/grep`);
    return new S3BlobStore({
      bucket: url.hostname,
      prefix: decodeURIComponent(url.pathname),
      region: url.searchParams.get("region") ?? undefined,
      endpoint: url.searchParams.get("endpoint") ?? undefined,
    });
  }

  async get(key: string): Promise<Uint8Array> {
    const name = this.prefix + checkBlobKey(key);
    try {
      const output = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: name }));
      if (output.Body === undefined) return new Uint8Array();
      return await output.Body.transformToByteArray();
    } catch (error) {
      if (error instanceof NoSuchKey || (error instanceof S3ServiceException && error.name === "NotFound")) {
        throw new GrepError("BLOB_NOT_FOUND", `no blob at ${JSON.stringify(key)}`);
      }
      throw unavailable(error);
    }
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const name = this.prefix + checkBlobKey(key);
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: name, Body: bytes }));
    } catch (error) {
      throw unavailable(error);
    }
  }

  async list(prefix: string): Promise<string[]> {
    const full = this.prefix + checkBlobKey(prefix, "prefix");
    const keys: string[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: full, ContinuationToken: token }),
        );
        for (const object of page.Contents ?? []) {
          if (object.Key !== undefined) keys.push(object.Key.slice(this.prefix.length));
        }
        token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
    } catch (error) {
      throw unavailable(error);
    }
    return keys.sort();
  }

  close(): Promise<void> {
    if (this.ownsClient) this.client.destroy();
    return Promise.resolve();
  }
}

function unavailable(error: unknown): GrepError {
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new GrepError("BLOB_UNAVAILABLE", `S3 failed: ${reason}`, { cause: error, retryable: true });
}
