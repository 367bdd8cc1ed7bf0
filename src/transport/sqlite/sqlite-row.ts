/**
 * Converting between envelopes and rows of the messages table: metadata is JSON text, the payload a BLOB. Rows
 * are read defensively, since any program can write to the file: a row that is not a valid envelope is reported,
 * never thrown, so that the queue dead-letters it and keeps delivering.
 */
import type { SQLOutputValue } from "node:sqlite";
import { MetadataKey, type Envelope, type Metadata } from "../envelope.ts";
import type { OutgoingMessage } from "../transport.ts";

/** A row as `node:sqlite` returns it. */
export type Row = Record<string, SQLOutputValue>;

/** A row read back: the envelope, or why it is not one. */
export type DecodedRow = { readonly envelope: Envelope } | { readonly problem: string };

/** Why a message cannot be stored, or undefined when it can. */
export function invalidMessageProblem(message: OutgoingMessage, maxDelayMs: number): string | undefined {
  if (typeof message.id !== "string" || message.id === "") return "the id must be a non-empty string";
  const delayMs = message.delayMs ?? 0;
  if (!Number.isFinite(delayMs) || delayMs < 0 || delayMs > maxDelayMs) {
    return `the delay must be from 0 to ${maxDelayMs} ms`;
  }
  if (!(message.payload instanceof Uint8Array)) return "the payload must be a Uint8Array";
  if (typeof message.metadata !== "object" || message.metadata === null) return "the metadata must be an object";
  for (const value of Object.values(message.metadata)) {
    if (typeof value !== "string") return "metadata values must be strings";
  }
  return undefined;
}

/** The metadata column's text for a message. */
export function encodeMetadata(metadata: Metadata): string {
  return JSON.stringify(metadata);
}

/** Reads the envelope of a queue row. */
export function decodeRow(row: Row): DecodedRow {
  const { id, payload } = row;
  if (typeof id !== "string" || id === "") return { problem: "the id is not a non-empty string" };
  if (!(payload instanceof Uint8Array)) return { problem: "the payload is not a BLOB" };
  const metadata = parseMetadata(row["metadata"]);
  if (metadata === undefined) return { problem: "the metadata is not a JSON object of strings" };
  return { envelope: { id, metadata, payload } };
}

/**
 * Reads the envelope of a dead letter, with its reason in metadata. Whatever cannot be read is replaced (an empty
 * payload, metadata holding only the reason), so that a malformed row can still be inspected and removed.
 */
export function decodeDeadLetterRow(row: Row): Envelope {
  const reason = typeof row["dead_reason"] === "string" ? row["dead_reason"] : "dead-lettered";
  const id = typeof row["id"] === "string" ? row["id"] : "";
  const payload = row["payload"] instanceof Uint8Array ? row["payload"] : new Uint8Array(0);
  const metadata = { ...parseMetadata(row["metadata"]), [MetadataKey.deadLetterReason]: reason };
  return { id, metadata, payload };
}

/** An integer column (SQLite INTEGER read as a number), or `fallback` when it is anything else. */
export function integerColumn(row: Row, name: string, fallback = 0): number {
  const value = row[name];
  return typeof value === "number" ? value : fallback;
}

/** A text column, or undefined when it is NULL or not text. */
export function textColumn(row: Row, name: string): string | undefined {
  const value = row[name];
  return typeof value === "string" ? value : undefined;
}

function parseMetadata(text: SQLOutputValue | undefined): Metadata | undefined {
  if (typeof text !== "string") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
  // JSON.parse makes every key an own data property (a "__proto__" key too, which stays data), so the parsed
  // object is the metadata once its values are checked: no copy.
  const metadata = parsed as Record<string, unknown>;
  for (const key in metadata) {
    if (typeof metadata[key] !== "string") return undefined;
  }
  return metadata as Metadata;
}
