import type { SourceLocation } from "../errors.ts";

/** Something Apache Thrift's compiler would also warn about; the schema is still produced. */
export interface GeneratorWarning {
  /** The warning without the location prefix. */
  readonly detail: string;
  readonly location: SourceLocation;
  /** `file:line:col: detail`. */
  readonly message: string;
}

/** Receives warnings as resolution finds them. */
export type WarningHandler = (warning: GeneratorWarning) => void;

/** Builds a {@link GeneratorWarning}. */
export function createWarning(detail: string, location: SourceLocation): GeneratorWarning {
  return { detail, location, message: `${location.file}:${location.line}:${location.column}: ${detail}` };
}
