/** Small helpers shared by the round-trip tests. */
import { expect } from "vitest";
import { createReader, createWriter } from "../../../../src/codec/factory.ts";
import { TType } from "../../../../src/codec/protocol.ts";
import type { ProtocolName, ProtocolReader, ProtocolWriter, TTypeId } from "../../../../src/codec/protocol.ts";
import { CodecError } from "../../../../src/errors.ts";

/** Both protocols, for describe.each. */
export const protocols = ["binary", "compact"] as const;

/** Writes one field of `type` in a struct, reads it back and returns what `read` produced. */
export function viaField<T>(
  protocol: ProtocolName,
  type: TTypeId,
  write: (w: ProtocolWriter) => void,
  read: (r: ProtocolReader) => T,
): T {
  const w = createWriter(protocol);
  w.writeStructBegin();
  w.writeFieldBegin(type, 1);
  write(w);
  w.writeFieldStop();
  w.writeStructEnd();
  const r = createReader(w.finish(), protocol);
  r.readStructBegin();
  expect(r.readFieldBegin()).toBe(type);
  expect(r.fieldId).toBe(1);
  const value = read(r);
  expect(r.readFieldBegin()).toBe(TType.STOP);
  r.readStructEnd();
  expect(r.remaining).toBe(0);
  return value;
}

/** Runs `fn`; returns the CodecError code it threw ("no error" if none), rethrowing anything else. */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof CodecError) return e.code;
    throw e;
  }
  return "no error";
}
