/**
 * The quick start: a typed producer call through code generated from idl/jobs.thrift, the exact bytes Apache
 * Thrift would write for it, and a worker-side dispatch of the decoded call to a handler. No broker yet: the
 * call travels as bytes in memory (later stages put a transport here).
 */
import { createEncodingChannel, decodeCallMessage, type ProtocolName } from "thrift-queue";
import { Priority } from "./gen/common.ts";
import {
  createThumbnailsClient,
  Thumbnails,
  type IThumbnailsHandler,
  type Thumbnails_render_args,
  type ThumbnailJob,
} from "./gen/jobs.ts";

/** Where the quick start reports what it does (the command prints it; tests collect it). */
export type Report = (line: string) => void;

/** What one round trip produced, for tests and for the files the command leaves behind. */
export interface RoundTrip {
  readonly protocol: ProtocolName;
  readonly bytes: Uint8Array;
  readonly handled: ThumbnailJob;
}

/** A worker-side handler: here it only records the job it was given. */
class RecordingHandler implements IThumbnailsHandler {
  readonly jobs: ThumbnailJob[] = [];

  render(args: Thumbnails_render_args): void {
    if (args.job) this.jobs.push(args.job);
  }

  countRendered(): number {
    return this.jobs.length;
  }
}

/** The job the web tier asks for. */
export function sampleJob(): ThumbnailJob {
  return {
    imageId: "img-42",
    requestedAt: 1_767_225_600_000_000n,
    priority: Priority.HIGH,
    sizes: ["64x64", "256x256"],
    labels: new Map([["tenant", "acme"]]),
    owner: { name: "ada", accountId: 7n },
  };
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes)
    .toString("hex")
    .replace(/(.{2})/g, "$1 ")
    .trim();
}

/** Encodes one `Thumbnails.render` call in `protocol`, decodes it as a worker would and dispatches it. */
export async function roundTrip(protocol: ProtocolName, report: Report): Promise<RoundTrip> {
  // Producer side: the generated client over a channel that only encodes.
  const client = createThumbnailsClient(createEncodingChannel({ protocol, multiplexed: true }));
  const encoded = await client.render({ job: sampleJob() });
  report(`${protocol}: Thumbnails.render encoded as ${encoded.bytes.length} bytes (oneway, multiplexed name):`);
  report(`  ${hex(encoded.bytes)}`);

  // Worker side: read the message header, find the method, decode the arguments, call the handler.
  const call = decodeCallMessage([Thumbnails], encoded.bytes, { protocol });
  const handler = new RecordingHandler();
  if (call.method !== Thumbnails.methods.render) throw new Error(`unexpected method ${call.method.name}`);
  handler.render(call.args as Thumbnails_render_args);
  const handled = handler.jobs[0];
  if (!handled) throw new Error("the handler received no job");
  const json = JSON.stringify(Thumbnails.methods.render.args.toJSON({ job: handled }));
  report(`  decoded "${call.header.name}" (type ${call.header.type}, seqid ${call.header.seqid}) → render(${json})`);
  return { protocol, bytes: encoded.bytes, handled };
}
