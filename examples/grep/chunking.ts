/** How a search becomes chunk jobs, and where each chunk's results go (pure). */
import type { ChunkJob } from "./gen/grep.ts";
import type { SearchRequest } from "./search-request.ts";

/** The blob prefix of a document set. */
export function documentPrefix(documentSet: string): string {
  return `documents/${documentSet}/`;
}

/** Where a chunk's {@link ChunkResult} is written. */
export function resultKey(searchId: string, chunkIndex: number): string {
  return `results/${searchId}/${chunkIndex}.json`;
}

/** Where the web tier keeps a search's manifest. */
export function manifestKey(searchId: string): string {
  return `searches/${searchId}.json`;
}

/** Splits keys into consecutive groups of `size` (the last may be shorter); none for no keys. */
export function splitIntoChunks<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk size must be a whole number ≥ 1, got ${size}`);
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

/** Limits each chunk job carries. */
export interface ChunkLimits {
  readonly maxMatches: number;
  readonly documentBudgetMs: number;
}

/** The chunk jobs of a search over `documentKeys` (sorted, so a search is reproducible). */
export function chunkJobs(
  searchId: string,
  request: SearchRequest,
  documentKeys: readonly string[],
  limits: ChunkLimits,
): ChunkJob[] {
  const chunks = splitIntoChunks([...documentKeys].sort(), request.documentsPerChunk);
  return chunks.map((keys, chunkIndex) => ({
    searchId,
    chunkIndex,
    chunkCount: chunks.length,
    pattern: request.pattern,
    flags: request.flags,
    documentKeys: keys,
    resultKey: resultKey(searchId, chunkIndex),
    maxMatches: limits.maxMatches,
    documentBudgetMs: limits.documentBudgetMs,
  }));
}
