/**
 * The worker side of GrepTheWeb: `matchChunk` reads each document of its chunk from the blob store, matches it
 * line by line, reports progress per document and writes the chunk's {@link ChunkResult} as JSON to the job's
 * result key. A rerun (redelivery, retry) overwrites the same key, so the outcome is idempotent.
 */
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { JobContext } from "thrift-queue";
import type { BlobStore } from "./blob-store.ts";
import { resultKey } from "./chunking.ts";
import {
  ChunkResult,
  type ChunkJob,
  type GrepTheWeb_matchChunk_args,
  type IGrepTheWebHandler,
  type LineMatch,
} from "./gen/grep.ts";
import { GrepError } from "./grep-error.ts";
import { IsolatedMatcher } from "./isolated-matcher.ts";
import { linePattern, matchDocument } from "./matcher.ts";
import { parseSearchRequest } from "./search-request.ts";

/** Options of {@link createGrepHandler}. */
export interface GrepHandlerOptions {
  readonly blobs: BlobStore;
  /** Recorded in each result. @defaultValue "" */
  readonly workerId?: string;
  /** Most documents one job may name. @defaultValue 1000 */
  readonly maxDocumentsPerJob?: number;
  /**
   * `thread`: match in a worker thread that is killed when a document outlives its budget by `hardLimitSlackMs`
   * (a regex stuck inside one `exec` cannot block the worker); `inline`: on the event loop. @defaultValue "thread"
   */
  readonly isolation?: "thread" | "inline";
  /** How far past its budget a document's thread may run before it is killed. @defaultValue 2000 */
  readonly hardLimitSlackMs?: number;
}

/** Creates the `GrepTheWeb` handler. */
export function createGrepHandler(options: GrepHandlerOptions): IGrepTheWebHandler<JobContext> {
  const maxDocuments = options.maxDocumentsPerJob ?? 1000;
  return {
    async matchChunk(args: GrepTheWeb_matchChunk_args, context: JobContext): Promise<void> {
      const job = checkedJob(args.job, maxDocuments);
      const regex = linePattern(job.pattern, job.flags);
      const matches: LineMatch[] = [];
      const truncatedDocuments: string[] = [];
      let matchCount = 0;
      let linesScanned = 0;
      const total = job.documentKeys.length;
      const budgetMs = job.documentBudgetMs ?? 2000;
      const thread = options.isolation === "inline" ? undefined : new IsolatedMatcher();
      try {
        for (const [index, key] of job.documentKeys.entries()) {
          context.signal.throwIfAborted();
          const text = new TextDecoder().decode(await options.blobs.get(key));
          const maxMatches = Math.max(0, (job.maxMatches ?? 10_000) - matches.length);
          const found = thread
            ? await thread.match({
                ...{ document: key, text, pattern: job.pattern, flags: job.flags, budgetMs, maxMatches },
                hardLimitMs: budgetMs + (options.hardLimitSlackMs ?? 2000),
                signal: context.signal,
              })
            : matchDocument(key, text, regex, { signal: context.signal, budgetMs, maxMatches });
          matches.push(...found.matches);
          matchCount += found.matchCount;
          linesScanned += found.linesScanned;
          if (found.truncated) truncatedDocuments.push(key);
          context.progress(Math.round(((index + 1) / total) * 100), `${index + 1}/${total} documents`);
          // Let heartbeats, lease extensions and the abort timer run between documents.
          await yieldToEventLoop();
        }
      } finally {
        await thread?.close();
      }
      context.signal.throwIfAborted();
      const result: ChunkResult = {
        searchId: job.searchId,
        chunkIndex: job.chunkIndex,
        matches,
        matchCount,
        documentsScanned: total,
        linesScanned,
        truncatedDocuments,
        workerId: options.workerId ?? "",
        attempt: context.attempt,
      };
      await options.blobs.put(job.resultKey, new TextEncoder().encode(JSON.stringify(ChunkResult.toJSON(result))));
      context.logger.info({ chunk: job.chunkIndex, matches: matchCount, lines: linesScanned }, "chunk matched");
    },
  };
}

/** The job, checked again here: a message on the queue is untrusted, whoever is supposed to have sent it. */
function checkedJob(job: ChunkJob | undefined, maxDocuments: number): ChunkJob {
  if (job === undefined) throw new GrepError("GREP_INVALID_REQUEST", "matchChunk without a job");
  const parsed = parseSearchRequest({ pattern: job.pattern, flags: job.flags });
  if (!parsed.ok) throw new GrepError("GREP_INVALID_REQUEST", parsed.problems.join("; "));
  if (!Number.isInteger(job.chunkIndex) || job.chunkIndex < 0) {
    throw new GrepError("GREP_INVALID_REQUEST", `invalid chunk index ${job.chunkIndex}`);
  }
  if (!/^[0-9a-f-]{1,64}$/.test(job.searchId) || job.resultKey !== resultKey(job.searchId, job.chunkIndex)) {
    throw new GrepError("GREP_INVALID_REQUEST", "the result key must be results/<searchId>/<chunkIndex>.json");
  }
  if (job.documentKeys.length === 0 || job.documentKeys.length > maxDocuments) {
    throw new GrepError("GREP_INVALID_REQUEST", `a chunk names 1 to ${maxDocuments} documents`);
  }
  return job;
}
