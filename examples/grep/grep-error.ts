/** The GrepTheWeb application's typed errors (the library's error hierarchy, with the app's own codes). */
import { ThriftQueueError, type ThriftQueueErrorOptions } from "thrift-queue";

/** Codes of {@link GrepError}. */
export type GrepErrorCode =
  /** A blob key that is empty, too long, absolute, or escapes its store (`..`, backslashes, control characters). */
  | "BLOB_INVALID_KEY"
  /** No blob at that key. */
  | "BLOB_NOT_FOUND"
  /** The blob store could not be reached or refused the call. */
  | "BLOB_UNAVAILABLE"
  /** A blob store URL that names no known store. */
  | "BLOB_INVALID_URL"
  /** A search request the web tier refuses (bad JSON, pattern, flags or document set). */
  | "GREP_INVALID_REQUEST"
  /** A document set with no documents. */
  | "GREP_UNKNOWN_DOCUMENT_SET";

/** An error of the GrepTheWeb application. */
export class GrepError extends ThriftQueueError {
  declare readonly code: GrepErrorCode;

  constructor(code: GrepErrorCode, message: string, options: ThriftQueueErrorOptions = {}) {
    super(code, message, options);
  }
}
