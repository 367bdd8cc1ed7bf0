/** Reading the one value a command takes on stdin: JSON text for `encode`, Thrift bytes for `decode`. */
import { CodecError } from "../errors.ts";
import type { CliIo } from "./cli-io.ts";

// Strict: invalid UTF-8 would otherwise turn into U+FFFD and be encoded as if the user had typed it.
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Reads stdin as one JSON value; empty input, invalid UTF-8 and invalid JSON are CodecErrors. */
export async function readJsonInput(io: CliIo): Promise<unknown> {
  let text: string;
  try {
    text = utf8.decode(await io.readStdin());
  } catch {
    throw new CodecError("CODEC_INVALID_UTF8", "stdin is not valid UTF-8");
  }
  if (text.trim() === "") throw new CodecError("CODEC_INVALID_VALUE", "no input on stdin: expected one JSON value");
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CodecError("CODEC_INVALID_VALUE", `invalid JSON on stdin: ${reason}`);
  }
}

/** Reads stdin as bytes; empty input is a CodecError rather than a confusing "truncated" message. */
export async function readBytesInput(io: CliIo): Promise<Uint8Array> {
  const bytes = await io.readStdin();
  if (bytes.length === 0) throw new CodecError("CODEC_TRUNCATED", "no input on stdin: expected Thrift bytes");
  return bytes;
}
