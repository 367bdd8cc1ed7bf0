/** A search's manifest: what the web tier wrote when it accepted the search (blob `searches/<id>.json`). */
import type { BlobStore } from "./blob-store.ts";
import { manifestKey } from "./chunking.ts";
import { GrepError } from "./grep-error.ts";

/** One chunk job of a search. */
export interface ManifestChunk {
  readonly chunkIndex: number;
  readonly jobId: string;
  readonly documentKeys: readonly string[];
}

/** What a search is. */
export interface SearchManifest {
  readonly searchId: string;
  readonly pattern: string;
  readonly flags: string;
  readonly documentSet: string;
  /** RFC 3339. */
  readonly createdAt: string;
  readonly chunks: readonly ManifestChunk[];
}

/** A search id as the web tier makes them (a UUIDv7, lower case). */
export const SEARCH_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Writes a manifest. */
export async function writeManifest(blobs: BlobStore, manifest: SearchManifest): Promise<void> {
  await blobs.put(manifestKey(manifest.searchId), new TextEncoder().encode(JSON.stringify(manifest)));
}

/** Reads a manifest; undefined when there is none. Rejects with `BLOB_UNAVAILABLE` for an unreadable one. */
export async function readManifest(blobs: BlobStore, searchId: string): Promise<SearchManifest | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await blobs.get(manifestKey(searchId));
  } catch (error) {
    if (error instanceof GrepError && error.code === "BLOB_NOT_FOUND") return undefined;
    throw error;
  }
  const manifest = parseManifest(bytes);
  if (manifest?.searchId !== searchId) {
    throw new GrepError("BLOB_UNAVAILABLE", `the manifest of search ${searchId} is damaged`);
  }
  return manifest;
}

function parseManifest(bytes: Uint8Array): SearchManifest | undefined {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const manifest = value as Partial<Record<keyof SearchManifest, unknown>>;
  const strings = [manifest.searchId, manifest.pattern, manifest.flags, manifest.documentSet, manifest.createdAt];
  if (!strings.every((field) => typeof field === "string") || !Array.isArray(manifest.chunks)) return undefined;
  const chunks = manifest.chunks as unknown[];
  const valid = chunks.every((chunk) => {
    if (typeof chunk !== "object" || chunk === null) return false;
    const { chunkIndex, jobId, documentKeys } = chunk as Partial<Record<keyof ManifestChunk, unknown>>;
    return typeof chunkIndex === "number" && typeof jobId === "string" && Array.isArray(documentKeys);
  });
  return valid ? (value as SearchManifest) : undefined;
}
