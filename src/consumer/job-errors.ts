/** How a job's failure is recorded: the error's type and message, as the status store and dead letters show it. */
import { ThriftQueueError } from "../errors.ts";
import type { JobError } from "../status/status-store.ts";
import { DeclaredException } from "./declared-exception.ts";

const MAX_MESSAGE_LENGTH = 2_000;

/**
 * The recorded form of anything a handler threw: a declared exception by its qualified IDL name, a thrift-queue
 * error by its code, any other Error by its class name.
 */
export function toJobError(error: unknown): JobError {
  if (error instanceof DeclaredException) return { type: error.qualifiedName, message: clip(error.message) };
  if (error instanceof ThriftQueueError) return { type: error.code, message: clip(error.message) };
  if (error instanceof Error) {
    const type = error.constructor === Error || !error.constructor?.name ? error.name : error.constructor.name;
    return { type: type || "Error", message: clip(error.message) };
  }
  return { type: typeof error, message: clip(safeString(error)) };
}

/** `type: message`, the reason given to nacks and dead letters. */
export function reasonOf(error: JobError): string {
  return error.message === "" ? error.type : `${error.type}: ${error.message}`;
}

function clip(text: string): string {
  return text.length <= MAX_MESSAGE_LENGTH ? text : `${text.slice(0, MAX_MESSAGE_LENGTH)}…`;
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return "(unprintable value)";
  }
}
