/** `thrift-queue/codegen`: programmatic use of `thrift-queue gen`, kept apart so runtime users never load the parser. */
export { generate, renderIdl, type GenerateOptions } from "./generate.ts";
export { loadSchema, type LoadSchemaOptions } from "./load-schema.ts";
export type { GeneratedFile, RenderOptions, Renderer } from "./render/renderer.ts";
export { typescriptRenderer } from "./render/typescript-renderer.ts";
