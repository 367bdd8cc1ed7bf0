/**
 * The blob store: where documents live and where workers leave their results (GrepTheWeb's S3). Keys are
 * `/`-separated relative paths and are treated as untrusted: every implementation checks them with
 * {@link checkBlobKey}, so no key can reach outside the store.
 *
 *   file:<dir>                                  a local folder (the embedded default, e.g. file:.data/grep/blobs)
 *   s3://<bucket>/<prefix>?region=…&endpoint=…  Amazon S3, or an emulator at endpoint (path-style addressing)
 */
import { GrepError } from "./grep-error.ts";

/** A flat key → bytes store. Every method is safe to call concurrently. `put` overwrites (reruns are idempotent). */
export interface BlobStore {
  /** `file` or `s3`. */
  readonly kind: string;
  /** The blob's bytes; rejects with `BLOB_NOT_FOUND` when there is none. */
  get(key: string): Promise<Uint8Array>;
  /** Writes the blob whole (readers never see a partial one), replacing any previous one. */
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** Every key that starts with `prefix` (a folder prefix ends with `/`), sorted. */
  list(prefix: string): Promise<string[]>;
  close(): Promise<void>;
}

/** Longest key accepted, in characters. */
export const MAX_BLOB_KEY_LENGTH = 512;

const SEGMENT = /^[A-Za-z0-9._-]+$/;

/**
 * Throws `BLOB_INVALID_KEY` unless `key` is a relative path of segments made of letters, digits, `.`, `_` and `-`
 * (no empty, `.` or `..` segment). `prefix` allows a trailing `/` and the empty string (list everything).
 */
export function checkBlobKey(key: unknown, kind: "key" | "prefix" = "key"): string {
  if (typeof key !== "string") throw invalidKey(key, "not a string");
  if (key.length > MAX_BLOB_KEY_LENGTH) throw invalidKey(key, `longer than ${MAX_BLOB_KEY_LENGTH} characters`);
  if (kind === "prefix" && key === "") return key;
  const body = kind === "prefix" && key.endsWith("/") ? key.slice(0, -1) : key;
  for (const segment of body.split("/")) {
    if (segment === "" || segment === "." || segment === ".." || !SEGMENT.test(segment)) {
      throw invalidKey(key, "use /-separated segments of letters, digits, '.', '_' and '-' (no '.' or '..')");
    }
  }
  return key;
}

function invalidKey(key: unknown, reason: string): GrepError {
  const shown = typeof key === "string" ? JSON.stringify(key.slice(0, 80)) : typeof key;
  return new GrepError("BLOB_INVALID_KEY", `invalid blob key ${shown}: ${reason}`);
}

/** Opens the blob store a URL names (see the module comment); throws `BLOB_INVALID_URL` for anything else. */
export async function openBlobStore(urlText: string): Promise<BlobStore> {
  if (urlText.startsWith("file:")) {
    const { FolderBlobStore } = await import("./folder-blob-store.ts");
    const path = urlText.slice("file:".length).replace(/^\/\/(?=\/)/, "");
    if (path === "") throw new GrepError("BLOB_INVALID_URL", "file: needs a folder, e.g. file:.data/grep/blobs");
    return new FolderBlobStore(path);
  }
  if (urlText.startsWith("s3://")) {
    const { S3BlobStore } = await import("./s3-blob-store.ts");
    return S3BlobStore.fromUrl(urlText);
  }
  throw new GrepError(
    "BLOB_INVALID_URL",
    `invalid blob store URL ${JSON.stringify(urlText)}: use file:<dir> or s3://<bucket>/<prefix>`,
  );
}
