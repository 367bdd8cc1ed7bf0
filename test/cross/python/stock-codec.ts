/**
 * The TypeScript side of stock_codec.py: compiles an IDL with Apache's own `thrift --gen py`, sends one batch of
 * requests to the stock generated classes and converts our runtime values to the JSON form both sides share
 * (described in stock_codec.py). Used by test/integration/cross-python-generated.test.ts.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { SchemaDocument } from "../../../src/model/schema.ts";

/** Debian's interpreter: the one that sees python3-thrift. */
export const PYTHON = "/usr/bin/python3";
/** Debian's thrift-compiler. */
export const THRIFT = "/usr/bin/thrift";
const HELPER = fileURLToPath(new URL("stock_codec.py", import.meta.url));

/** A value as it crosses the process boundary. */
export type Wire = null | boolean | number | string | Wire[] | { [key: string]: Wire };

/** Why the stock Python cross-check cannot run here, or undefined when it can. */
export function stockPythonUnavailable(): string | undefined {
  if (!existsSync(THRIFT)) return `${THRIFT} is missing (install thrift-compiler)`;
  const probe = spawnSync(PYTHON, ["-c", "import thrift.protocol.fastbinary, thrift.TMultiplexedProcessor"], {
    encoding: "utf8",
  });
  if (probe.error) return `${PYTHON} is not runnable (${probe.error.message})`;
  if (probe.status !== 0) return `${PYTHON} cannot import thrift (install python3-thrift): ${probe.stderr.trim()}`;
  return undefined;
}

/** Runs `thrift -r --gen py` on `idl` into a fresh folder under `parent`; returns that folder. */
export function generatePython(parent: string, name: string, idl: string, includeDirs: readonly string[] = []): string {
  const out = join(parent, name);
  mkdirSync(out, { recursive: true });
  const args = ["-r", ...includeDirs.flatMap((dir) => ["-I", dir]), "--gen", "py", "-out", out, idl];
  const run = spawnSync(THRIFT, args, { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`thrift ${args.join(" ")} failed (${run.status}): ${run.stderr}`);
  return out;
}

/** Which Python package `thrift --gen py` puts each of our modules in (its py namespace, else `*`, else the name). */
export function pythonPackages(documents: readonly SchemaDocument[]): Record<string, string> {
  return Object.fromEntries(
    documents.map((document) => [
      document.module,
      document.namespaces["py"] ?? document.namespaces["*"] ?? document.module,
    ]),
  );
}

/** Qualified names of the unions among `documents` (see the union quirk in stock_codec.py). */
export function unionNames(documents: readonly SchemaDocument[]): string[] {
  return documents.flatMap((document) =>
    document.structs.filter((def) => def.kind === "union").map((def) => def.qualifiedName),
  );
}

/** One answer of stock_codec.py: per protocol flavour, or the Python traceback. */
export type StockAnswer<T> = { pure: T; accelerated?: T; error?: undefined } | { error: string };

/** Sends one batch to stock_codec.py, run over the code generated in `generatedDir`. */
export function runStockPython(
  generatedDir: string,
  documents: readonly SchemaDocument[],
  requests: readonly Record<string, Wire>[],
): StockAnswer<Record<string, Wire>>[] {
  const input = JSON.stringify({ modules: pythonPackages(documents), unions: unionNames(documents), requests });
  const run = spawnSync(PYTHON, [HELPER, generatedDir], { input, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`stock_codec.py failed (${run.status}): ${run.stderr}`);
  const answers = JSON.parse(run.stdout) as StockAnswer<Record<string, Wire>>[];
  if (answers.length !== requests.length) throw new Error(`expected ${requests.length} answers, got ${answers.length}`);
  return answers;
}

/** Collects the requests of one Python run; `add` returns where the request's answer will be. */
export class StockBatch {
  readonly requests: Record<string, Wire>[] = [];
  private answers: StockAnswer<Record<string, Wire>>[] = [];

  add(request: Record<string, Wire>): number {
    return this.requests.push(request) - 1;
  }

  /** Sends every request to stock_codec.py over the code generated in `generatedDir`. */
  run(generatedDir: string, documents: readonly SchemaDocument[]): void {
    this.answers = runStockPython(generatedDir, documents, this.requests);
  }

  /** The answer of each protocol flavour (pure, then accelerated) to request `position`; throws Python's error. */
  flavours(position: number): [flavour: string, answer: Record<string, Wire>][] {
    const answer = this.answers[position];
    if (answer === undefined) throw new Error(`no answer ${position}`);
    if (answer.error !== undefined) throw new Error(`stock_codec.py: ${answer.error}`);
    return Object.entries(answer).filter((entry): entry is [string, Record<string, Wire>] => entry[1] !== undefined);
  }

  /** The answer of the pure-Python protocols alone. */
  pure(position: number): Record<string, Wire> {
    const [first] = this.flavours(position);
    if (first?.[0] !== "pure") throw new Error(`no pure-Python answer ${position}`);
    return first[1];
  }
}

/** The shared JSON form of one of our runtime values (unset fields, undefined or null, are left out). */
export function toWire(value: unknown): Wire {
  if (value === undefined || value === null) return null;
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return numberToWire(value);
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString("base64") };
  if (Array.isArray(value)) return value.map(toWire);
  if (value instanceof Set) return { $set: [...value].map(toWire) };
  if (value instanceof Map) return { $map: [...value].map(([key, item]) => [toWire(key), toWire(item)]) };
  if (typeof value === "object" && value !== null) {
    const out: Record<string, Wire> = {};
    for (const [key, item] of Object.entries(value)) if (item !== undefined && item !== null) out[key] = toWire(item);
    return out;
  }
  throw new Error(`no JSON form for a ${typeof value}`);
}

function numberToWire(value: number): Wire {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "Infinity";
  if (value === Number.NEGATIVE_INFINITY) return "-Infinity";
  return Object.is(value, -0) ? "-0" : value;
}

/**
 * Sorts the elements of every set, whose order Python does not keep, so that values compare by content; with
 * `anyMapOrder`, map entries too (JSON objects do not keep the order of integer-like keys).
 */
export function canonical(wire: Wire, anyMapOrder = false): Wire {
  if (Array.isArray(wire)) return wire.map((item) => canonical(item, anyMapOrder));
  if (wire === null || typeof wire !== "object") return wire;
  const out: Record<string, Wire> = {};
  for (const [key, item] of Object.entries(wire)) out[key] = canonical(item, anyMapOrder);
  const tag = Object.keys(out).length === 1 ? Object.keys(out)[0] : undefined;
  const items = tag === undefined ? undefined : out[tag];
  if (Array.isArray(items) && (tag === "$set" || (tag === "$map" && anyMapOrder))) out[tag] = sortedByJson(items);
  return out;
}

function sortedByJson(items: readonly Wire[]): Wire[] {
  return items
    .map((item) => [JSON.stringify(item), item] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, item]) => item);
}

/** Whether a value holds a set of two or more elements: Python writes those back in its own hash order. */
export function hasUnorderedSet(value: unknown): boolean {
  if (value instanceof Set) return value.size > 1 || [...value].some(hasUnorderedSet);
  if (value instanceof Map) return [...value].some(([key, item]) => hasUnorderedSet(key) || hasUnorderedSet(item));
  if (Array.isArray(value)) return value.some(hasUnorderedSet);
  if (value instanceof Uint8Array || typeof value !== "object" || value === null) return false;
  return Object.values(value).some(hasUnorderedSet);
}

/** Lowercase hex of bytes, as stock_codec.py exchanges them. */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

/** The bytes an answer holds as hex under `key`. */
export function bytesOf(answer: Record<string, Wire>, key: string): Uint8Array {
  const text = answer[key];
  if (typeof text !== "string") throw new Error(`expected hex in ${JSON.stringify(key)}, got ${JSON.stringify(text)}`);
  return new Uint8Array(Buffer.from(text, "hex"));
}
