/**
 * Per-method job settings: attempts, timeout, backoff and whether declared exceptions are retried. Each comes from
 * the code (`worker.handle(Service, handler, { methods })`), else from the method's IDL annotations, else from the
 * worker's defaults; resolved once, when the handler is registered.
 */
import type { MethodDescriptor } from "../codec/service-descriptor.ts";
import { ConfigError } from "../errors.ts";
import type { Annotations } from "../model/schema.ts";
import type { BackoffSchedule, RetryPolicy } from "./retry-policy.ts";

/** Settings of one method given in code; each overrides the IDL annotation of the same meaning. */
export interface MethodOptions {
  /** Deliveries before the job is dead-lettered. @defaultValue annotation `tq.maxAttempts`, else the worker's */
  readonly maxAttempts?: number;
  /** The handler fails with `HANDLER_TIMEOUT` after this long; 0 for none. @defaultValue `tq.timeoutSeconds`, else none */
  readonly timeoutMs?: number;
  /** Retry declared IDL exceptions like other failures. @defaultValue `tq.retryable`, else false */
  readonly retryable?: boolean;
  /** @defaultValue `tq.retryBaseDelayMs`, else the worker's */
  readonly retryBaseDelayMs?: number;
  /** @defaultValue `tq.retryMaxDelayMs`, else the worker's */
  readonly retryMaxDelayMs?: number;
}

/** The resolved settings the worker applies to each job of a method. */
export interface MethodSettings {
  readonly maxAttempts: number;
  /** Undefined when the handler may run for as long as it likes. */
  readonly timeoutMs: number | undefined;
  readonly retryable: boolean;
  readonly backoff: BackoffSchedule;
}

/** The IDL annotations the worker reads. */
export const MethodAnnotation = {
  maxAttempts: "tq.maxAttempts",
  timeoutSeconds: "tq.timeoutSeconds",
  retryable: "tq.retryable",
  retryBaseDelayMs: "tq.retryBaseDelayMs",
  retryMaxDelayMs: "tq.retryMaxDelayMs",
} as const;

/**
 * Resolves one method's settings; throws a ConfigError naming every bad option or annotation at once.
 * `label` names the method in messages (`Thumbnails.render`).
 */
export function resolveMethodSettings(
  method: MethodDescriptor,
  label: string,
  options: MethodOptions | undefined,
  defaults: RetryPolicy,
): MethodSettings {
  const problems: string[] = [];
  const annotations: Annotations = method.def.annotations;
  /** The annotation `key` parsed, undefined when absent; a bad one is reported. */
  function annotation<T>(key: string, parse: (text: string) => T | undefined): T | undefined {
    const text = annotations[key];
    if (text === undefined) return undefined;
    const value = parse(text.trim());
    if (value === undefined) problems.push(`annotation ${key} = ${JSON.stringify(text)} is not valid`);
    return value;
  }

  const timeoutSeconds = annotation(MethodAnnotation.timeoutSeconds, positiveNumber);
  const settings: MethodSettings = {
    maxAttempts:
      options?.maxAttempts ?? annotation(MethodAnnotation.maxAttempts, positiveInteger) ?? defaults.maxAttempts,
    timeoutMs: options?.timeoutMs ?? (timeoutSeconds === undefined ? undefined : timeoutSeconds * 1000),
    retryable: options?.retryable ?? annotation(MethodAnnotation.retryable, booleanText) ?? false,
    backoff: {
      baseDelayMs:
        options?.retryBaseDelayMs ??
        annotation(MethodAnnotation.retryBaseDelayMs, nonNegativeInteger) ??
        defaults.baseDelayMs,
      maxDelayMs:
        options?.retryMaxDelayMs ??
        annotation(MethodAnnotation.retryMaxDelayMs, nonNegativeInteger) ??
        defaults.maxDelayMs,
      jitter: defaults.jitter ?? "full",
    },
  };
  const { maxAttempts, timeoutMs, retryable, backoff } = settings;
  if (!isPositiveInteger(maxAttempts)) problems.push(`maxAttempts must be an integer ≥ 1, got ${String(maxAttempts)}`);
  if (timeoutMs !== undefined && !isNonNegative(timeoutMs)) problems.push(`timeoutMs must be ≥ 0, got ${timeoutMs}`);
  if (typeof retryable !== "boolean") problems.push(`retryable must be a boolean`);
  if (!isNonNegative(backoff.baseDelayMs)) problems.push(`retryBaseDelayMs must be ≥ 0, got ${backoff.baseDelayMs}`);
  if (!isNonNegative(backoff.maxDelayMs)) problems.push(`retryMaxDelayMs must be ≥ 0, got ${backoff.maxDelayMs}`);
  if (problems.length > 0) throw new ConfigError("CONFIG_INVALID", `${label}: ${problems.join("; ")}`);
  return timeoutMs === 0 ? { ...settings, timeoutMs: undefined } : settings;
}

function isPositiveInteger(value: unknown): boolean {
  return typeof value === "number" && Number.isInteger(value) && value >= 1;
}

function isNonNegative(value: unknown): boolean {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

function positiveInteger(text: string): number | undefined {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  return isPositiveInteger(value) ? value : undefined;
}

function nonNegativeInteger(text: string): number | undefined {
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

function positiveNumber(text: string): number | undefined {
  const value = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

function booleanText(text: string): boolean | undefined {
  if (text === "true") return true;
  if (text === "false") return false;
  return undefined;
}
