import type { SchemaIndex } from "../model/schema-index.ts";
import type { StructDef } from "../model/schema.ts";
import { toCodecError } from "./codec-error-boundary.ts";
import { createWriter } from "./factory.ts";
import type { JsonValue } from "./json/json-value.ts";
import { structFromJson, structToJson } from "./json/index.ts";
import type { CodecLimits } from "./limits.ts";
import type { ProtocolName, ProtocolReader, ProtocolWriter } from "./protocol.ts";
import { returnReader, takeReader } from "./reader-pool.ts";
import type { PooledReader } from "./reader-pool.ts";

/**
 * The value generated code exports under each struct's, union's and exception's name (ts-proto style):
 * encode/decode in either protocol, JSON conversion and the low-level read/write used by enclosing types.
 */
export interface StructCodec<T> {
  /** Qualified IDL name, `module.Name`. */
  readonly qualifiedName: string;
  /** Reflection data: fields, ids, types, annotations. */
  readonly def: StructDef;
  /** Encodes a value; throws `CodecError` for a missing required field or an invalid value. */
  encode(value: T, protocol?: ProtocolName): Uint8Array;
  /** Decodes untrusted bytes; every failure is a `CodecError` with a field path. */
  decode(bytes: Uint8Array, protocol?: ProtocolName, limits?: Partial<CodecLimits>): T;
  /** Converts from the JSON mapping (see docs/wire-format.md); throws `CodecError` with a field path. */
  fromJSON(json: unknown): T;
  /** Converts to the JSON mapping. */
  toJSON(value: T): JsonValue;
  /** Writes the value as a struct at the writer's position (used by enclosing structs and messages). */
  write(value: T, writer: ProtocolWriter): void;
  /** Reads a struct at the reader's position. */
  read(reader: ProtocolReader): T;
}

/** What generated code supplies to {@link defineStruct}. */
export interface StructCodecSpec<T> {
  readonly qualifiedName: string;
  /** Returns the schema the struct belongs to; called lazily so modules may reference each other. */
  readonly schema: () => SchemaIndex;
  /** Reflection data when the struct is not declared in the schema (a method's `_args` or `_result`). */
  readonly def?: () => StructDef;
  readonly write: (value: T, writer: ProtocolWriter) => void;
  readonly read: (reader: ProtocolReader) => T;
}

const pooledWriters: Record<ProtocolName, ProtocolWriter | undefined> = { binary: undefined, compact: undefined };

/** A writer per protocol, reused across encodes: encoding is synchronous, so it is never shared mid-use. */
function pooledWriter(protocol: ProtocolName): ProtocolWriter {
  const existing = pooledWriters[protocol];
  if (existing) return existing;
  const created = createWriter(protocol);
  pooledWriters[protocol] = created;
  return created;
}

/** Builds a {@link StructCodec} from a generated struct's specialized read and write functions. */
export function defineStruct<T>(spec: StructCodecSpec<T>): StructCodec<T> {
  const { qualifiedName, write, read } = spec;
  let cachedDef: StructDef | undefined;
  const def = (): StructDef => (cachedDef ??= spec.def ? spec.def() : spec.schema().struct(qualifiedName));
  return {
    qualifiedName,
    get def() {
      return def();
    },
    encode(value: T, protocol: ProtocolName = "binary"): Uint8Array {
      const writer = pooledWriter(protocol);
      try {
        write(value, writer);
      } catch (error) {
        writer.finish();
        throw toCodecError(error, "CODEC_INVALID_VALUE");
      }
      return writer.finish();
    },
    decode(bytes: Uint8Array, protocol: ProtocolName = "binary", limits?: Partial<CodecLimits>): T {
      let reader: PooledReader | undefined;
      try {
        reader = takeReader(bytes, protocol, limits);
        return read(reader);
      } catch (error) {
        throw toCodecError(error, "CODEC_UNKNOWN");
      } finally {
        if (reader) returnReader(reader);
      }
    },
    fromJSON(json: unknown): T {
      return structFromJson(spec.schema(), def(), json) as T;
    },
    toJSON(value: T): JsonValue {
      return structToJson(spec.schema(), def(), value);
    },
    write,
    read,
  };
}
