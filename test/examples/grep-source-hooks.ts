/**
 * Preloaded with `node --import` by the GrepTheWeb process tests: points "thrift-queue" at src/ so the example runs
 * against the current sources without a build (the worker processes inherit it through `process.execArgv`).
 */
import { registerHooks } from "node:module";

const SOURCE_ENTRY = new URL("../../src/index.ts", import.meta.url).href;
registerHooks({
  resolve: (specifier, context, nextResolve) =>
    nextResolve(specifier === "thrift-queue" ? SOURCE_ENTRY : specifier, context),
});
