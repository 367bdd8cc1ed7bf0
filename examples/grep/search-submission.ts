/** `POST /v1/searches`: validate, split the document set into chunks, record the manifest, send one job per chunk. */
import { uuidv7, type Receipt } from "thrift-queue";
import type { BlobStore } from "./blob-store.ts";
import { chunkJobs, documentPrefix, type ChunkLimits } from "./chunking.ts";
import type { GrepTheWebClient } from "./gen/grep.ts";
import { GrepError } from "./grep-error.ts";
import type { SearchRequest } from "./search-request.ts";
import { writeManifest, type SearchManifest } from "./search-manifest.ts";

/** What an accepted search answers. */
export interface AcceptedSearch {
  readonly searchId: string;
  /** One per chunk, in chunk order. */
  readonly jobs: readonly { readonly chunkIndex: number; readonly jobId: string; readonly documents: number }[];
  readonly documents: number;
}

/** What {@link submitSearch} needs. */
export interface SubmissionContext {
  readonly blobs: BlobStore;
  readonly client: GrepTheWebClient<Receipt>;
  readonly limits: ChunkLimits;
  /** Most documents one search may cover. */
  readonly maxDocuments: number;
}

/**
 * Accepts a validated search. The manifest (with job ids chosen here) is written before any job is sent, so
 * every job that reaches a worker belongs to a search the status route can find. Rejects with
 * `GREP_UNKNOWN_DOCUMENT_SET` when the set is empty, and with the transport's error when a send fails.
 */
export async function submitSearch(context: SubmissionContext, request: SearchRequest): Promise<AcceptedSearch> {
  const prefix = documentPrefix(request.documentSet);
  const keys = await context.blobs.list(prefix);
  if (keys.length === 0) {
    throw new GrepError("GREP_UNKNOWN_DOCUMENT_SET", `no documents in the set ${JSON.stringify(request.documentSet)}`);
  }
  if (keys.length > context.maxDocuments) {
    throw new GrepError("GREP_INVALID_REQUEST", `the set has more than ${context.maxDocuments} documents`);
  }
  const searchId = uuidv7();
  const jobs = chunkJobs(searchId, request, keys, context.limits).map((job) => ({ job, jobId: uuidv7() }));
  const manifest: SearchManifest = {
    searchId,
    pattern: request.pattern,
    flags: request.flags,
    documentSet: request.documentSet,
    createdAt: new Date().toISOString(),
    chunks: jobs.map(({ job, jobId }) => ({ chunkIndex: job.chunkIndex, jobId, documentKeys: job.documentKeys })),
  };
  await writeManifest(context.blobs, manifest);
  await Promise.all(
    jobs.map(({ job, jobId }) => context.client.matchChunk({ job }, { jobId, metadata: { "search-id": searchId } })),
  );
  return {
    searchId,
    jobs: jobs.map(({ job, jobId }) => ({ chunkIndex: job.chunkIndex, jobId, documents: job.documentKeys.length })),
    documents: keys.length,
  };
}
