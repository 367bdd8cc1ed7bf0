/** Bounds applied while decoding untrusted bytes; each is checked before anything is allocated. */
export interface CodecLimits {
  /** Largest accepted input, in bytes. @defaultValue 16 MiB */
  maxMessageBytes: number;
  /** Longest accepted string or binary, in bytes. @defaultValue 8 MiB */
  maxStringBytes: number;
  /** Most elements accepted in one list, set or map. @defaultValue 1,000,000 */
  maxContainerElements: number;
  /** Deepest accepted nesting of structs and containers. @defaultValue 64 */
  maxDepth: number;
}

/** The limits used when none are given. */
export const DEFAULT_CODEC_LIMITS: Readonly<CodecLimits> = Object.freeze({
  maxMessageBytes: 16 * 1024 * 1024,
  maxStringBytes: 8 * 1024 * 1024,
  maxContainerElements: 1_000_000,
  maxDepth: 64,
});

/** Fills unset limits with {@link DEFAULT_CODEC_LIMITS}. */
export function resolveCodecLimits(limits?: Partial<CodecLimits>): Readonly<CodecLimits> {
  if (!limits) return DEFAULT_CODEC_LIMITS;
  return { ...DEFAULT_CODEC_LIMITS, ...limits };
}
