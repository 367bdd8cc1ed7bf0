/**
 * `GET /v1/searches/:id`: each chunk's state and progress from the status store and, once every chunk succeeded,
 * the merged results from the blob store.
 */
import type { JobRecord, JobState, StatusStore } from "thrift-queue";
import type { BlobStore } from "./blob-store.ts";
import { resultKey } from "./chunking.ts";
import { ChunkResult } from "./gen/grep.ts";
import { GrepError } from "./grep-error.ts";
import { mergeChunkResults, type MergedResults } from "./merge-results.ts";
import type { SearchManifest } from "./search-manifest.ts";

/** A search's state: `failed` once a chunk ended in failed, dead or cancelled. */
export type SearchState = "queued" | "running" | "succeeded" | "failed";

/** One chunk, as the status answers it. */
export interface ChunkStatus {
  readonly chunkIndex: number;
  readonly jobId: string;
  readonly documents: number;
  /** `unknown` when the store has no record (yet). */
  readonly state: JobState | "unknown";
  readonly attempt: number;
  readonly progress: number;
  readonly progressMessage: string | undefined;
  readonly workerId: string | undefined;
  readonly error: { readonly type: string; readonly message: string } | undefined;
}

/** The status answer. */
export interface SearchStatus {
  readonly searchId: string;
  readonly pattern: string;
  readonly flags: string;
  readonly documentSet: string;
  readonly createdAt: string;
  readonly state: SearchState;
  /** The mean of the chunks' progress, 0–100. */
  readonly progress: number;
  readonly chunks: readonly ChunkStatus[];
  /** Present once every chunk succeeded; `matches` is the page `offset`…`offset + limit`. */
  readonly results?: Omit<MergedResults, "matches"> & {
    readonly offset: number;
    readonly limit: number;
    readonly matches: MergedResults["matches"];
  };
}

/** Which page of matches to return. */
export interface ResultPage {
  readonly offset: number;
  readonly limit: number;
}

const FAILED: readonly string[] = ["failed", "dead", "cancelled"];

/** Builds the status of a search. */
export async function searchStatus(
  manifest: SearchManifest,
  store: StatusStore,
  blobs: BlobStore,
  page: ResultPage,
): Promise<SearchStatus> {
  const records = await Promise.all(manifest.chunks.map((chunk) => store.get(chunk.jobId)));
  const chunks = manifest.chunks.map((chunk, index) => chunkStatus(chunk, records[index]));
  const state = searchState(chunks);
  const progress = chunks.length === 0 ? 0 : chunks.reduce((sum, chunk) => sum + chunk.progress, 0) / chunks.length;
  const status: SearchStatus = {
    searchId: manifest.searchId,
    pattern: manifest.pattern,
    flags: manifest.flags,
    documentSet: manifest.documentSet,
    createdAt: manifest.createdAt,
    state,
    progress: Math.round(progress * 10) / 10,
    chunks,
  };
  if (state !== "succeeded") return status;
  const merged = mergeChunkResults(await readResults(blobs, manifest));
  const { matches, ...totals } = merged;
  return {
    ...status,
    results: {
      ...totals,
      offset: page.offset,
      limit: page.limit,
      matches: matches.slice(page.offset, page.offset + page.limit),
    },
  };
}

function chunkStatus(chunk: SearchManifest["chunks"][number], record: JobRecord | undefined): ChunkStatus {
  const state = record?.state ?? "unknown";
  return {
    chunkIndex: chunk.chunkIndex,
    jobId: chunk.jobId,
    documents: chunk.documentKeys.length,
    state,
    attempt: record?.attempt ?? 0,
    progress: state === "succeeded" ? 100 : (record?.progress ?? 0),
    progressMessage: record?.progressMessage,
    workerId: record?.workerId,
    error: record?.error,
  };
}

function searchState(chunks: readonly ChunkStatus[]): SearchState {
  if (chunks.some((chunk) => FAILED.includes(chunk.state))) return "failed";
  if (chunks.every((chunk) => chunk.state === "succeeded")) return "succeeded";
  if (chunks.every((chunk) => chunk.state === "queued" || chunk.state === "unknown")) return "queued";
  return "running";
}

/** Every chunk's result; a missing or unreadable one is `BLOB_UNAVAILABLE` (the job said it succeeded). */
async function readResults(blobs: BlobStore, manifest: SearchManifest): Promise<ChunkResult[]> {
  return Promise.all(
    manifest.chunks.map(async (chunk) => {
      const bytes = await blobs.get(resultKey(manifest.searchId, chunk.chunkIndex));
      try {
        return ChunkResult.fromJSON(JSON.parse(new TextDecoder().decode(bytes)));
      } catch (error) {
        throw new GrepError("BLOB_UNAVAILABLE", `the result of chunk ${chunk.chunkIndex} is unreadable`, {
          cause: error,
        });
      }
    }),
  );
}
