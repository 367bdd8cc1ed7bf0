/** Assertion helpers for CodecErrors. */
import { expect } from "vitest";
import { CodecError } from "../../../src/errors.ts";

/** Runs `fn`, expects it to throw a CodecError and returns it. */
export function codecErrorOf(fn: () => unknown): CodecError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, "expected a CodecError to be thrown").toBeInstanceOf(CodecError);
  return thrown as CodecError;
}

/** Expects `fn` to throw a CodecError with this code and full message (`path: detail`). */
export function expectCodecError(fn: () => unknown, code: string, message: string): CodecError {
  const error = codecErrorOf(fn);
  expect({ code: error.code, message: error.message }).toEqual({ code, message });
  return error;
}
