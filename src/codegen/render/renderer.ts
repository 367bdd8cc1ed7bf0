import type { Schema } from "../../model/schema.ts";

/** One file a renderer produces, with a path relative to the output folder. */
export interface GeneratedFile {
  readonly path: string;
  readonly contents: string;
}

/** Options every renderer understands. */
export interface RenderOptions {
  /**
   * Extension of relative imports between generated files: `.js` for projects compiled by tsc (NodeNext),
   * `.ts` for Node's type stripping or bundlers that allow it, `""` for bundlers that resolve bare paths.
   * @defaultValue ".js"
   */
  importExtension?: ".js" | ".ts" | "";
  /** Module specifier of the runtime that generated code imports. @defaultValue "thrift-queue" */
  runtimeModule?: string;
}

/** Turns a resolved schema into source files. The TypeScript renderer is the one shipped; others may follow. */
export interface Renderer {
  readonly name: string;
  render(schema: Schema, options?: RenderOptions): GeneratedFile[];
}
