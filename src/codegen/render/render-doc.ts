import type { CodeBuilder } from "./code-builder.ts";

/** Emits an IDL doc comment as a JSDoc block, if there is one. */
export function emitDocComment(out: CodeBuilder, doc: string | undefined): void {
  if (doc === undefined || doc.trim() === "") return;
  const lines = doc
    .trim()
    .split(/\r?\n/)
    .map((line) => line.replace(/\*\//g, "*\\/").trimEnd());
  if (lines.length === 1) {
    out.line(`/** ${lines[0] ?? ""} */`);
    return;
  }
  out.line("/**");
  for (const line of lines) out.line(line === "" ? " *" : ` * ${line}`);
  out.line(" */");
}
