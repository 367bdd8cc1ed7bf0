import { CodecError, type CodecErrorCode } from "../errors.ts";

/** Turns anything thrown inside a codec into a `CodecError`, so no stray TypeError/RangeError escapes. */
export function toCodecError(error: unknown, fallbackCode: CodecErrorCode): CodecError {
  if (error instanceof CodecError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CodecError(fallbackCode, message, "", { cause: error });
}

/**
 * Prefixes the path of an error raised while reading or writing a field or element. Generated code calls it
 * from a catch block, so locating a failure costs nothing when nothing fails.
 */
export function withFieldPath(error: unknown, segment: string): CodecError {
  const codecError = toCodecError(error, "CODEC_INVALID_VALUE");
  return segment === "" ? codecError : codecError.withPathPrefix(segment);
}

/** The path segment of a map entry: strings quoted as JSON, other keys as written. */
export function mapKeySegment(key: unknown): string {
  if (typeof key === "string") return `[${JSON.stringify(key)}]`;
  if (typeof key === "number" || typeof key === "bigint" || typeof key === "boolean") return `[${String(key)}]`;
  return "[<key>]";
}
