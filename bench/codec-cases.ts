/**
 * The codecs `npm run bench:codec` compares, each holding the representative job of bench/fixtures/job.thrift (and
 * job.proto) the way its users do and encoding/decoding it through the API they call:
 *
 * - thrift-queue: the generated `RenderJob` codec (bench/gen/thrift-queue, from `npm run gen`), `encode`/`decode`.
 * - thrift: the npm `thrift` library with code from Debian's compiler 0.17, checked in as bench/gen/npm-thrift and
 *   made by `thrift --gen js:node -out bench/gen/npm-thrift bench/fixtures/job.thrift` (its package.json only marks
 *   the folder CommonJS). Encoding writes into one reused TBufferedTransport and flushes it, which hands over the
 *   message as one Buffer; decoding wraps the bytes in a TFramedTransport, as the library's own frame receiver does
 *   for every frame (no copy, strings decoded straight from the input).
 * - protobufjs: the .proto loaded by reflection, `Type.encode(message).finish()` and `Type.decode(bytes)`.
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { TProtocol } from "thrift";
import thrift from "thrift";
import protobuf from "protobufjs";
import type { ProtocolName } from "../src/index.ts";
import { Priority, RenderJob } from "./gen/thrift-queue/job.ts";

/** Library names, as they appear in the results. */
export type LibraryName = "thrift-queue" | "thrift" | "protobufjs";

/** One codec under test: a sample value in the library's own representation and its encode/decode calls. */
export interface CodecCase<T> {
  readonly sample: T;
  encode(value: T): Uint8Array;
  decode(bytes: Uint8Array): T;
  /** The value in a library-neutral form, for the sanity check. */
  toPlain(value: T): PlainJob;
}

/** The job in a library-neutral form: what every codec must round-trip. */
export interface PlainJob {
  jobId: string;
  imageId: string;
  requestedAt: bigint;
  priority: number;
  sizes: string[];
  labels: [string, string][];
  owner: { team: string; email: string; quota: number };
}

/** The sample job every library encodes. */
export const PLAIN_SAMPLE: PlainJob = {
  jobId: "job-7f3c9a12",
  imageId: "img-20240611-0042",
  requestedAt: 1_718_096_400_123_456n,
  priority: Priority.HIGH,
  sizes: ["64x64", "256x256", "1024x768"],
  labels: [
    ["tenant", "acme"],
    ["source", "upload"],
    ["region", "eu-west-1"],
  ],
  owner: { team: "media", email: "media-team@example.com", quota: 500 },
};

function thriftQueueCase(protocol: ProtocolName): CodecCase<RenderJob> {
  const s = PLAIN_SAMPLE;
  return {
    sample: {
      ...s,
      priority: s.priority as Priority,
      labels: new Map(s.labels),
      owner: { ...s.owner },
      sizes: [...s.sizes],
    },
    encode: (value) => RenderJob.encode(value, protocol),
    decode: (bytes) => RenderJob.decode(bytes, protocol),
    toPlain: (value) => ({
      jobId: value.jobId,
      imageId: value.imageId,
      requestedAt: value.requestedAt ?? 0n,
      priority: value.priority ?? 0,
      sizes: value.sizes ?? [],
      labels: [...(value.labels ?? [])],
      owner: { team: value.owner?.team ?? "", email: value.owner?.email ?? "", quota: value.owner?.quota ?? 0 },
    }),
  };
}

/** The classes Debian's compiler generates for the npm library (plain JavaScript, so typed here). */
interface NpmOwner {
  team: string | null;
  email: string | null;
  quota: number | null;
}
interface NpmRenderJob {
  jobId: string | null;
  imageId: string | null;
  requestedAt: thrift.Int64 | null;
  priority: number | null;
  sizes: string[] | null;
  labels: Record<string, string> | null;
  owner: NpmOwner | null;
  write(output: TProtocol): void;
  read(input: TProtocol): void;
}
interface NpmJobTypes {
  RenderJob: new (args?: object) => NpmRenderJob;
  Owner: new (args?: object) => NpmOwner;
}

const require = createRequire(import.meta.url);
const npmJobTypes = require("./gen/npm-thrift/job_types.js") as NpmJobTypes;

function npmThriftCase(protocol: ProtocolName): CodecCase<NpmRenderJob> {
  const Protocol = protocol === "binary" ? thrift.TBinaryProtocol : thrift.TCompactProtocol;
  let flushed: Buffer = Buffer.alloc(0);
  const transport = new thrift.TBufferedTransport(undefined, (message) => {
    if (message) flushed = message;
  });
  const output = new Protocol(transport);
  const s = PLAIN_SAMPLE;
  return {
    sample: new npmJobTypes.RenderJob({
      ...s,
      requestedAt: new thrift.Int64(Number(s.requestedAt)),
      labels: Object.fromEntries(s.labels),
      owner: new npmJobTypes.Owner(s.owner),
    }),
    encode(value) {
      value.write(output);
      output.flush();
      return flushed;
    },
    decode(bytes) {
      const value = new npmJobTypes.RenderJob();
      value.read(new Protocol(new thrift.TFramedTransport(bytes as Buffer)));
      return value;
    },
    toPlain: (value) => ({
      jobId: value.jobId ?? "",
      imageId: value.imageId ?? "",
      requestedAt: value.requestedAt ? BigInt.asIntN(64, BigInt(`0x${value.requestedAt.toOctetString()}`)) : 0n,
      priority: value.priority ?? 0,
      sizes: value.sizes ?? [],
      labels: Object.entries(value.labels ?? {}),
      owner: { team: value.owner?.team ?? "", email: value.owner?.email ?? "", quota: value.owner?.quota ?? 0 },
    }),
  };
}

/** What protobufjs decodes the message to (reflection: a Message whose fields are plain properties). */
interface ProtobufRenderJob {
  jobId: string;
  imageId: string;
  requestedAt: { toString(): string };
  priority: number;
  sizes: string[];
  labels: Record<string, string>;
  owner?: { team: string; email: string; quota: number };
}

function protobufjsCase(): CodecCase<protobuf.Message> {
  const root = protobuf.loadSync(fileURLToPath(new URL("fixtures/job.proto", import.meta.url)));
  const type = root.lookupType("bench.RenderJob");
  const s = PLAIN_SAMPLE;
  return {
    sample: type.fromObject({
      ...s,
      requestedAt: s.requestedAt.toString(),
      labels: Object.fromEntries(s.labels),
    }),
    encode: (value) => type.encode(value).finish(),
    decode: (bytes) => type.decode(bytes),
    toPlain(message) {
      const value = message as unknown as ProtobufRenderJob;
      return {
        jobId: value.jobId,
        imageId: value.imageId,
        requestedAt: BigInt(value.requestedAt.toString()),
        priority: value.priority,
        sizes: value.sizes,
        labels: Object.entries(value.labels),
        owner: { team: value.owner?.team ?? "", email: value.owner?.email ?? "", quota: value.owner?.quota ?? 0 },
      };
    },
  };
}

/** Builds the case of one library and protocol (protobufjs has a single wire format; `protocol` is ignored). */
export function codecCase(library: LibraryName, protocol: ProtocolName): CodecCase<unknown> {
  if (library === "thrift-queue") return thriftQueueCase(protocol);
  if (library === "thrift") return npmThriftCase(protocol);
  return protobufjsCase();
}
