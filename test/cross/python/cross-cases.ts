/**
 * The values test/integration/cross-python-generated.test.ts sends across: structs of the generated code for
 * idl/jobs.thrift and test/fixtures/idl/everything.thrift, and calls through their generated clients.
 */
import * as jobsCommon from "../../../examples/quickstart/gen/common.ts";
import * as jobs from "../../../examples/quickstart/gen/jobs.ts";
import * as common from "../../golden/gen/everything/common.ts";
import * as everything from "../../golden/gen/everything/everything.ts";
import * as units from "../../golden/gen/everything/units.ts";
import type { StructCodec } from "../../../src/codec/struct-codec.ts";
import type { MethodDescriptor, ServiceDescriptor } from "../../../src/codec/service-descriptor.ts";
import type { CallChannel } from "../../../src/producer/call-channel.ts";
import type { EncodedCall } from "../../../src/producer/encoding-channel.ts";
import type { SchemaDocument } from "../../../src/model/schema.ts";
import { toWire, type Wire } from "./stock-codec.ts";

/** A struct value and the generated codec that writes it. */
export interface StructCase {
  readonly name: string;
  readonly codec: StructCodec<unknown>;
  readonly value: unknown;
  /** Every field is set, so decoding gives the value back (no defaults fill in). @defaultValue true */
  readonly complete: boolean;
  /** Whether Apache's C extension can take part (it cannot see fields with implicit, negative ids). */
  readonly accelerated: boolean;
}

/** How the stock Python handler answers a two-way call. */
export type Respond =
  | { readonly success: unknown }
  | { readonly exception: { readonly field: string; readonly value: unknown } }
  | { readonly internalError: true }
  | Record<string, never>;

/** The handler's answer as stock_codec.py takes it. */
export function respondWire(respond: Respond): Record<string, Wire> {
  if ("success" in respond) return { success: toWire(respond.success) };
  if ("exception" in respond) {
    return { exception: { field: respond.exception.field, value: toWire(respond.exception.value) } };
  }
  return "internalError" in respond ? { internalError: true } : {};
}

/** The result struct the stock Processor writes for a handler that answers `respond`. */
export function expectedResult(respond: Respond): Wire {
  if ("success" in respond) return { success: toWire(respond.success) };
  if ("exception" in respond) return { [respond.exception.field]: toWire(respond.exception.value) };
  return {};
}

/** One call made through a generated client. */
export interface CallCase {
  readonly name: string;
  readonly service: ServiceDescriptor;
  readonly method: string;
  /** The method as the generated service descriptor has it. */
  readonly descriptor: MethodDescriptor;
  readonly args: unknown;
  readonly respond: Respond;
  /** Every argument is set, so decoding gives the arguments back. */
  readonly complete: boolean;
  /** Sends the call through the generated client `createXClient(channel)`. */
  readonly send: (channel: CallChannel<EncodedCall>) => Promise<EncodedCall>;
}

/** The generated code of one IDL: what the test compiles with `thrift --gen py` and sends. */
export interface IdlCases {
  readonly name: string;
  readonly idl: string;
  readonly includeDirs: readonly string[];
  readonly documents: readonly SchemaDocument[];
  readonly services: readonly ServiceDescriptor[];
  readonly structs: readonly StructCase[];
  readonly calls: readonly CallCase[];
}

function struct<T>(
  codec: StructCodec<T>,
  name: string,
  value: T,
  options: { complete?: boolean; accelerated?: boolean } = {},
): StructCase {
  return {
    name: `${codec.qualifiedName} ${name}`,
    codec,
    value,
    complete: options.complete ?? true,
    accelerated: options.accelerated ?? true,
  };
}

type ArgsOf<F> = F extends (args: infer A, ...rest: never[]) => unknown ? A : never;

interface CallOptions {
  readonly respond?: Respond;
  readonly label?: string;
  /** Every argument is set, so decoding gives the arguments back (no defaults fill in). @defaultValue true */
  readonly complete?: boolean;
}

/** Makes the calls of one service, sent through its generated client `createClient(channel)`. */
function caller<C>(service: ServiceDescriptor, createClient: (channel: CallChannel<EncodedCall>) => C) {
  return <M extends keyof C & string>(method: M, args: ArgsOf<C[M]>, options: CallOptions = {}): CallCase => {
    const descriptor = service.methods[method];
    if (descriptor === undefined) throw new Error(`${service.name} has no method ${method}`);
    return {
      name: `${service.name}.${method}${options.label ? ` ${options.label}` : ""}`,
      service,
      method,
      descriptor,
      args,
      respond: options.respond ?? {},
      complete: options.complete ?? true,
      send: (channel) => (createClient(channel)[method] as (args: unknown) => Promise<EncodedCall>)(args),
    };
  };
}

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, position) => position);
const UNICODE = "h\u00e9llo \u65e5\u672c\u8a9e \u{1F600} \u{1D11E} \u20ac\u0000end";
/** Enum values the IDL does not declare, negative ones included: Thrift sends enums as plain i32. */
const weekday = (value: number): everything.Weekday => value as everything.Weekday;
const color = (value: number): common.Color => value as common.Color;

// ---------------------------------------------------------------- idl/jobs.thrift

const owner: jobsCommon.Owner = { name: "ops \u00e9quipe", accountId: I64_MAX };
const thumbnailJob: jobs.ThumbnailJob = {
  imageId: "img-\u{1F600}-42",
  requestedAt: 1_700_000_000_123_456n,
  priority: jobsCommon.Priority.HIGH,
  sizes: ["64x64", "128x128", "", "x".repeat(300)],
  labels: new Map([
    ["tenant", "acme"],
    ["\u65e5\u672c", "\u8a9e"],
    ["", "empty key"],
  ]),
  owner,
};

const jobStructs: StructCase[] = [
  struct(jobs.ThumbnailJob, "full", thumbnailJob),
  struct(
    jobs.ThumbnailJob,
    "required fields only (priority defaults to NORMAL)",
    {
      imageId: "a",
      requestedAt: I64_MIN,
    },
    { complete: false },
  ),
  struct(jobs.ThumbnailJob, "negative and unknown enum, empty containers", {
    imageId: "",
    requestedAt: -1n,
    priority: -7 as jobsCommon.Priority,
    sizes: [],
    labels: new Map(),
    owner: { name: "n" },
  }),
  struct(jobs.UnreadableImage, "exception", { imageId: "img", reason: "corrupt \u00e9" }),
  struct(jobsCommon.Owner, "i64 min account", { name: "x", accountId: I64_MIN }),
];

const thumbnails = caller(jobs.Thumbnails, jobs.createThumbnailsClient);
const jobCalls: CallCase[] = [
  thumbnails("render", { job: thumbnailJob }),
  thumbnails("render", { job: { imageId: "i", requestedAt: 0n } }, { label: "defaults", complete: false }),
  thumbnails("countRendered", { imageId: "img-1" }, { respond: { success: 42 } }),
  thumbnails(
    "countRendered",
    { imageId: "\u00e9" },
    {
      label: "throws",
      respond: { exception: { field: "unreadable", value: { imageId: "\u00e9", reason: "truncated" } } },
    },
  ),
  thumbnails("countRendered", {}, { label: "fails", respond: { internalError: true } }),
];

// ---------------------------------------------------------------- test/fixtures/idl/everything.thrift

const leaf: everything.TreeNode = { name: "leaf", children: [], by_name: new Map() };
const tree: everything.TreeNode = {
  name: "root",
  children: [
    { name: "a", children: [leaf, { name: "deep", children: [{ name: "deeper" }] }] },
    { name: "b", by_name: new Map([["x", leaf]]) },
  ],
  by_name: new Map([["self", { name: "copy", children: [leaf] }]]),
};

const point: common.Point = { x: -1.5, y: 2e300 };
const measurement: units.Measurement = { value: Number.NaN, unit: units.Unit.SECOND, at: { x: 0, y: -0 } };

const record: everything.Record = {
  id: I64_MIN,
  amount: -42,
  location: { x: 1, y: 2 },
  shape: { polygon: [point, { x: 0.1, y: 1e-300 }] },
  measurement,
  tiny: -128,
  color: common.Color.GREEN,
  count: 2147483647,
};
const otherRecord: everything.Record = {
  id: I64_MAX,
  amount: 0,
  location: { x: Number.POSITIVE_INFINITY, y: Number.NEGATIVE_INFINITY },
  shape: { point: { x: 3, y: 4 } },
  measurement: { value: 1, unit: units.Unit.METER, at: { x: 5e-324, y: 1.7976931348623157e308 } },
  tiny: 127,
  color: color(-3),
  count: -2147483648,
};

const containers: everything.Containers = {
  ints: [0, -1, 2147483647, -2147483648, ...Array.from({ length: 20 }, (_, position) => position * 1000)],
  names: new Set(["one", "\u00e9", ""]),
  counts: new Map([
    ["min", I64_MIN],
    ["max", I64_MAX],
    ["zero", 0n],
    ["2^53+1", 2n ** 53n + 1n],
  ]),
  matrix: [[1, 2, 3], [], [-4]],
  index: new Map([
    ["odd", new Set([1, 3, 5])],
    ["none", new Set<number>()],
  ]),
  deep: [new Map([["k", new Set([7])]]), new Map()],
  by_day: new Map([
    [everything.Weekday.MONDAY, [point]],
    [weekday(-2), []],
    [everything.Weekday.FRIDAY, [{ x: 0, y: 0 }, { y: 1 }]],
  ]),
  blobs: new Set([new Uint8Array([0, 255]), new Uint8Array(), ALL_BYTES]),
  nested: [new Map([["a", new Set([-1, 0, 1])]])],
  deeper: new Map([
    [
      -1,
      new Map([
        [I64_MIN, [new Set(["s"]), new Set<string>()]],
        [I64_MAX, []],
      ]),
    ],
    [0, new Map()],
  ]),
};

const defaults: everything.Defaults = {
  must: -1,
  maybe: "set",
  plain: I64_MIN,
  ratio: -0,
  day: weekday(-2),
  primes: [],
  letters: new Map([["a", 1]]),
  point: { x: 9, y: 8 },
  enabled: true,
  blob: new Uint8Array([1, 2, 3]),
  days: new Set([everything.Weekday.TUESDAY]),
  color: common.Color.BLUE,
  length: { value: 2, unit: units.Unit.METER },
  tiny: 0,
};

const everythingStructs: StructCase[] = [
  struct(everything.AllTypes, "extremes", {
    flag: true,
    tiny: -128,
    small: 127,
    short_value: -32768,
    normal: 2147483647,
    big: I64_MIN,
    ratio: 5e-324,
    text: UNICODE,
    data: ALL_BYTES,
  }),
  struct(everything.AllTypes, "other extremes", {
    flag: false,
    tiny: 127,
    small: -128,
    short_value: 32767,
    normal: -2147483648,
    big: I64_MAX,
    ratio: -0,
    text: "",
    data: new Uint8Array(),
  }),
  struct(everything.AllTypes, "NaN", { ratio: Number.NaN, big: 2n ** 53n + 1n, text: "\u00e9".repeat(100) }),
  struct(everything.AllTypes, "infinities", { ratio: Number.NEGATIVE_INFINITY, normal: 0, short_value: -1 }),
  struct(everything.AllTypes, "empty", {}),
  struct(everything.Defaults, "every field set", defaults),
  struct(everything.Defaults, "defaults only", { must: 1 }, { complete: false }),
  struct(everything.Containers, "nested containers", containers),
  struct(everything.Containers, "empty containers", {
    ints: [],
    names: new Set<string>(),
    counts: new Map(),
    matrix: [],
    index: new Map(),
    deep: [],
    by_day: new Map(),
    blobs: new Set<Uint8Array>(),
    nested: [],
    deeper: new Map(),
  }),
  struct(everything.TreeNode, "self-recursive", tree),
  struct(everything.Ping, "mutually recursive", { pong: { ping: { pong: { ping: {} } } } }),
  struct(
    everything.WithImplicitIds,
    "implicit ids",
    { first: "1st", second: "2nd", third: "3rd" },
    {
      accelerated: false,
    },
  ),
  struct(everything.WithImplicitIds, "implicit ids, some unset", { third: "only" }, { accelerated: false }),
  struct(everything.Annotated, "annotated", { typed: -5, aliased: 7 }),
  struct(everything.Shape, "union point", { point }),
  struct(everything.Shape, "union radius", { radius: 1 }),
  struct(everything.Shape, "union polygon", { polygon: [point, point] }),
  struct(everything.Record, "record", record),
  struct(everything.Record, "other record", otherRecord),
  struct(everything.Record, "required id only", { id: 5n }, { complete: false }),
  struct(everything.NotFound, "exception", { message: "missing", id: I64_MIN }),
  struct(everything.Invalid, "exception with list", { reason: "bad", fields: ["a", "\u00e9"] }),
  struct(units.Measurement, "included module", measurement),
  struct(common.ServiceError, "exception with default", { message: "boom", code: -1 }),
];

const inventory = caller(everything.Inventory, everything.createInventoryClient);
const admin = caller(everything.Admin, everything.createAdminClient);
const baseService = caller(common.BaseService, common.createBaseServiceClient);
const someDays = new Set([everything.Weekday.MONDAY, everything.Weekday.FRIDAY, weekday(-2)]);
const everythingCalls: CallCase[] = [
  inventory("get", { id: I64_MIN, include_deleted: true }, { respond: { success: record } }),
  inventory(
    "get",
    { id: 3n, include_deleted: false },
    {
      label: "throws",
      respond: { exception: { field: "not_found", value: { message: "no \u00e9", id: 3n } } },
    },
  ),
  inventory("put", { record: otherRecord }),
  inventory(
    "put",
    { record: { ...record, shape: { radius: 1 } } },
    {
      label: "throws",
      respond: { exception: { field: "failure", value: { message: "disk full", code: 507 } } },
    },
  ),
  inventory("touch", { id: I64_MAX }),
  inventory("search", { query: UNICODE, limit: -1, days: someDays }, { respond: { success: [record, otherRecord] } }),
  inventory("search", { query: "defaults" }, { label: "limit defaults to 10", complete: false }),
  inventory(
    "groups",
    {},
    {
      respond: {
        success: new Map([
          ["all", [record]],
          ["none", []],
        ]),
      },
    },
  ),
  inventory("count", {}, { respond: { success: -2147483648 } }),
  inventory("blob", { data: ALL_BYTES }, { respond: { success: ALL_BYTES } }),
  inventory("locate", { measurement }, { respond: { success: point } }),
  inventory("nothing", {}, { respond: { internalError: true } }),
  inventory("ping", {}, { label: "inherited", respond: { success: "pong \u{1F600}" } }),
  inventory(
    "version",
    {},
    {
      label: "inherited, throws",
      respond: { exception: { field: "err", value: { message: "unknown", code: 500 } } },
    },
  ),
  baseService("version", {}, { respond: { success: I64_MAX } }),
  admin("shutdown", { reason: "maintenance \u00e9" }),
  admin("reset", {}),
  admin("touch", { id: -1n }, { label: "inherited oneway" }),
  admin(
    "get",
    { id: 0n },
    {
      label: "inherited, include_deleted defaults to false",
      respond: { success: otherRecord },
      complete: false,
    },
  ),
];

/** Both IDLs, with paths relative to the repository root. */
export const idlCases: readonly IdlCases[] = [
  {
    name: "jobs",
    idl: "idl/jobs.thrift",
    includeDirs: [],
    documents: jobs.schemaDocuments,
    services: [jobs.Thumbnails],
    structs: jobStructs,
    calls: jobCalls,
  },
  {
    name: "everything",
    idl: "test/fixtures/idl/everything.thrift",
    includeDirs: ["test/fixtures/idl/shared"],
    documents: everything.schemaDocuments,
    services: [everything.Inventory, everything.Admin, common.BaseService],
    structs: everythingStructs,
    calls: everythingCalls,
  },
];
