/** Merging the chunk results of a search into one answer, sorted by document then line (pure). */
import type { ChunkResult, LineMatch } from "./gen/grep.ts";

/** A search's merged results. */
export interface MergedResults {
  /** Sorted by document key, then line number. */
  readonly matches: LineMatch[];
  /** Every matching line, including those a chunk did not keep. */
  readonly matchCount: number;
  readonly documentsScanned: number;
  readonly linesScanned: number;
  /** Documents whose scan stopped at the time budget, sorted. */
  readonly truncatedDocuments: string[];
  /** Matches per document, most first (ties by key). */
  readonly perDocument: { readonly document: string; readonly matches: number }[];
}

/** Orders matches by document key (code-unit order, as `sort` does), then line. */
export function compareMatches(left: LineMatch, right: LineMatch): number {
  if (left.document !== right.document) return left.document < right.document ? -1 : 1;
  return left.line - right.line;
}

/** Merges chunk results (in any order; a chunk present twice counts once). */
export function mergeChunkResults(results: readonly ChunkResult[]): MergedResults {
  const byChunk = new Map<number, ChunkResult>();
  for (const result of results) byChunk.set(result.chunkIndex, result);
  const matches: LineMatch[] = [];
  const truncated = new Set<string>();
  const counts = new Map<string, number>();
  let matchCount = 0;
  let documentsScanned = 0;
  let linesScanned = 0;
  for (const result of byChunk.values()) {
    matches.push(...result.matches);
    matchCount += result.matchCount;
    documentsScanned += result.documentsScanned;
    linesScanned += result.linesScanned;
    for (const document of result.truncatedDocuments ?? []) truncated.add(document);
    for (const match of result.matches) counts.set(match.document, (counts.get(match.document) ?? 0) + 1);
  }
  const perDocument = [...counts]
    .map(([document, count]) => ({ document, matches: count }))
    .sort((left, right) => right.matches - left.matches || (left.document < right.document ? -1 : 1));
  return {
    matches: matches.sort(compareMatches),
    matchCount,
    documentsScanned,
    linesScanned,
    truncatedDocuments: [...truncated].sort(),
    perDocument,
  };
}
