/** The blob store in a local folder: one file per key, written to a temporary file and renamed into place. */
import { randomUUID } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { checkBlobKey, type BlobStore } from "./blob-store.ts";
import { GrepError } from "./grep-error.ts";

/** A {@link BlobStore} over a folder (`file:<dir>`). */
export class FolderBlobStore implements BlobStore {
  readonly kind = "file";
  /** The folder, absolute. */
  readonly root: string;

  constructor(folder: string) {
    this.root = resolve(folder);
  }

  async get(key: string): Promise<Uint8Array> {
    const path = this.pathOf(key);
    try {
      return new Uint8Array(await readFile(path));
    } catch (error) {
      if (isCode(error, "ENOENT") || isCode(error, "EISDIR")) {
        throw new GrepError("BLOB_NOT_FOUND", `no blob at ${JSON.stringify(key)}`);
      }
      throw unavailable(error);
    }
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const path = this.pathOf(key);
    const temporary = `${path}.${randomUUID()}.tmp`;
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(temporary, bytes);
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => undefined);
      throw unavailable(error);
    }
  }

  async list(prefix: string): Promise<string[]> {
    checkBlobKey(prefix, "prefix");
    // Read only the folder the prefix is in; a key matches when it starts with the whole prefix.
    const folder = prefix.includes("/") ? prefix.slice(0, prefix.lastIndexOf("/")) : "";
    let entries;
    try {
      entries = await readdir(join(this.root, ...folder.split("/").filter(Boolean)), {
        recursive: true,
        withFileTypes: true,
      });
    } catch (error) {
      if (isCode(error, "ENOENT") || isCode(error, "ENOTDIR")) return [];
      throw unavailable(error);
    }
    const keys: string[] = [];
    for (const entry of entries) {
      if (!entry.isFile() || entry.name.endsWith(".tmp")) continue;
      const key = relative(this.root, join(entry.parentPath, entry.name)).split(sep).join("/");
      if (key.startsWith(prefix)) keys.push(key);
    }
    return keys.sort();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** The file of a key; the key check already rules out escapes, and this re-checks the resolved path. */
  private pathOf(key: string): string {
    checkBlobKey(key);
    const path = resolve(this.root, ...key.split("/"));
    if (!path.startsWith(this.root + sep)) {
      throw new GrepError("BLOB_INVALID_KEY", `invalid blob key ${JSON.stringify(key)}: outside the store`);
    }
    return path;
  }
}

function isCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

function unavailable(error: unknown): GrepError {
  const reason = error instanceof Error ? error.message : String(error);
  return new GrepError("BLOB_UNAVAILABLE", `the blob folder failed: ${reason}`, { cause: error, retryable: true });
}
