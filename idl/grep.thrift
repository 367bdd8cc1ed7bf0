// GrepTheWeb (after Amazon's design): a web tier splits a search over a document set into chunk jobs, workers
// match one chunk each and leave their results in a blob store, the status store tracks every chunk.
namespace py thrift_queue.grep
namespace java io.thriftqueue.grep

/** One chunk of a search: which documents to scan and how. */
struct ChunkJob {
  /** The search this chunk belongs to (a UUIDv7). */
  1: required string searchId,
  /** 0-based position of this chunk in the search. */
  2: required i32 chunkIndex,
  3: required i32 chunkCount,
  /** A JavaScript regular expression source, validated by the web tier. */
  4: required string pattern,
  /** RegExp flags, a subset of "imsu". */
  5: required string flags,
  /** Blob keys of the documents to scan, in order. */
  6: required list<string> documentKeys,
  /** Where the chunk's ChunkResult goes (JSON), overwritten by a rerun. */
  7: required string resultKey,
  /** At most this many matches are kept; the rest are counted. */
  8: i32 maxMatches = 10000,
  /** Time budget of one document in ms; a document that exceeds it is marked truncated. */
  9: i32 documentBudgetMs = 2000,
}

/** One matching line. */
struct LineMatch {
  /** The document's blob key. */
  1: required string document,
  /** 1-based line number. */
  2: required i32 line,
  /** The line, cut to 500 characters. */
  3: required string text,
}

/** What a worker found in one chunk. */
struct ChunkResult {
  1: required string searchId,
  2: required i32 chunkIndex,
  3: required list<LineMatch> matches,
  /** Every matching line, including those over maxMatches. */
  4: required i32 matchCount,
  5: required i32 documentsScanned,
  6: required i32 linesScanned,
  /** Documents whose scan stopped at the time budget. */
  7: list<string> truncatedDocuments,
  /** The worker that wrote it, and the attempt. */
  8: string workerId,
  9: i32 attempt,
}

service GrepTheWeb {
  /** Scan one chunk of documents for a pattern; results go to the blob store at job.resultKey. */
  oneway void matchChunk(1: ChunkJob job) (tq.maxAttempts = "3", tq.timeoutSeconds = "120")
}
