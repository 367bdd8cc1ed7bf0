/**
 * An exception the IDL declares (`throws (1: UnreadableImage unreadable)`), as a value a handler throws and a
 * producer's `result()` rejects with. The worker records it as the job's terminal `failed` outcome, with the
 * method's result struct carrying it, instead of retrying.
 */
import type { StructCodec } from "../codec/struct-codec.ts";
import { HandlerError } from "../errors.ts";

/** A declared IDL exception: `new DeclaredException(UnreadableImage, { imageId, reason })`. */
export class DeclaredException<T = unknown> extends HandlerError {
  /** The generated exception's codec (its `qualifiedName` names it in the IDL). */
  readonly codec: StructCodec<T>;
  /** The exception's fields. */
  readonly value: T;

  constructor(codec: StructCodec<T>, value: T, options?: { cause?: unknown }) {
    super("HANDLER_DECLARED_EXCEPTION", `${codec.qualifiedName}${describe(value)}`, options);
    this.codec = codec;
    this.value = value;
  }

  /** Qualified IDL name of the exception, `module.Name`. */
  get qualifiedName(): string {
    return this.codec.qualifiedName;
  }

  /** Whether this is the exception `codec` describes (matched by qualified name, so separate bundles agree). */
  is<U>(codec: StructCodec<U>): this is DeclaredException<U> {
    return this.codec === (codec as unknown) || this.codec.qualifiedName === codec.qualifiedName;
  }

  /** Whether `error` is a declared exception, of `codec` when one is given. */
  static isDeclared<U = unknown>(error: unknown, codec?: StructCodec<U>): error is DeclaredException<U> {
    if (!(error instanceof DeclaredException)) return false;
    return codec === undefined || error.is(codec);
  }
}

/** A short rendering of the exception's `message` or `reason` field for the error message, when it has one. */
function describe(value: unknown): string {
  if (typeof value !== "object" || value === null) return "";
  const fields = value as Record<string, unknown>;
  const text = fields["message"] ?? fields["reason"];
  return typeof text === "string" && text !== "" ? `: ${text}` : "";
}
