/**
 * The condition and update expressions of every conditional write, built as data (pure functions, unit-tested
 * without DynamoDB). A transition is one UpdateItem whose ConditionExpression is `transitionGuards` spelled out —
 * `(#state = :s1 AND #attempt <= :a1) OR …`, with `attribute_not_exists(#pk) OR` in front when the move may create
 * the record — so DynamoDB decides atomically whether it applies; nothing is read and written back.
 */
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { isFinal, transitionGuards } from "../job-state.ts";
import type { JobTransition, LeaseClaim, ProgressUpdate } from "../status-store.ts";
import { ALL_JOBS, ATTR, n, nOrNull, s, serviceKey, sOrNull, type Item } from "./dynamodb-items.ts";

/** The expression parts of a conditional UpdateItem, PutItem or DeleteItem (table and key added by the caller). */
export interface ConditionalWrite {
  readonly ConditionExpression: string;
  readonly UpdateExpression?: string;
  readonly ExpressionAttributeNames: Record<string, string>;
  readonly ExpressionAttributeValues?: Item;
}

/** Collects attribute name and value placeholders of one request. */
export class ExpressionParts {
  readonly names: Record<string, string> = {};
  readonly values: Item = {};
  #next = 0;

  /** The placeholder of an attribute name (every name is aliased, so reserved words such as `state` are safe). */
  name(attribute: string): string {
    const placeholder = `#${attribute}`;
    this.names[placeholder] = attribute;
    return placeholder;
  }

  /** A fresh placeholder bound to `value`. */
  value(value: AttributeValue): string {
    const placeholder = `:v${this.#next++}`;
    this.values[placeholder] = value;
    return placeholder;
  }

  /** The request fields, leaving out an empty value map (DynamoDB refuses one). */
  write(condition: string, update?: string): ConditionalWrite {
    return {
      ConditionExpression: condition,
      ...(update === undefined ? {} : { UpdateExpression: update }),
      ExpressionAttributeNames: this.names,
      ...(Object.keys(this.values).length === 0 ? {} : { ExpressionAttributeValues: this.values }),
    };
  }
}

/** The condition under which `move` applies: one of its guards, or no record yet when it may create one. */
export function transitionCondition(move: JobTransition, parts: ExpressionParts): string {
  // Names are aliased only where used: DynamoDB refuses a request with an unused placeholder.
  const clauses = transitionGuards(move.to, move.attempt).map((guard) => {
    const from = `${parts.name(ATTR.state)} = ${parts.value(s(guard.from))}`;
    if (!Number.isFinite(guard.maxAttempt)) return `(${from})`;
    return `(${from} AND ${parts.name(ATTR.attempt)} <= ${parts.value(n(guard.maxAttempt))})`;
  });
  if (move.create !== undefined) clauses.unshift(`attribute_not_exists(${parts.name(ATTR.pk)})`);
  // No guard at all cannot happen for a checked move (only `queued` has none); a false condition keeps it safe.
  return clauses.length === 0
    ? `attribute_not_exists(${parts.name(ATTR.pk)}) AND attribute_exists(${parts.name(ATTR.pk)})`
    : clauses.join(" OR ");
}

/**
 * The update of `move`, written so that the same expression both moves an existing record and, with `create`,
 * builds a new one: fields only a creation sets use `if_not_exists`.
 */
export function transitionUpdate(move: JobTransition, parts: ExpressionParts): string {
  const set: string[] = [];
  const remove: string[] = [];
  const assign = (attribute: string, value: AttributeValue): void => {
    set.push(`${parts.name(attribute)} = ${parts.value(value)}`);
  };
  const assignIfAbsent = (attribute: string, value: AttributeValue): void => {
    const name = parts.name(attribute);
    set.push(`${name} = if_not_exists(${name}, ${parts.value(value)})`);
  };
  const at = n(move.at);
  assign(ATTR.state, s(move.to));
  assign(ATTR.updatedAt, at);
  if (move.create !== undefined) {
    assignIfAbsent(ATTR.id, s(move.id));
    assignIfAbsent(ATTR.allJobs, s(ALL_JOBS));
    assignIfAbsent(ATTR.service, s(move.create.service));
    assignIfAbsent(ATTR.serviceKey, s(serviceKey(move.create.service)));
    assignIfAbsent(ATTR.method, s(move.create.method));
    assignIfAbsent(ATTR.queue, sOrNull(move.create.queue));
    assignIfAbsent(ATTR.enqueuedAt, nOrNull(move.create.enqueuedAt));
  }
  if (move.to === "cancelled") {
    // A cancel keeps the attempt and the worker; a cancel that creates the record starts it at attempt 0.
    if (move.create !== undefined) assignIfAbsent(ATTR.attempt, n(0));
  } else {
    assign(ATTR.attempt, n(move.attempt));
    if (move.workerId !== undefined) assign(ATTR.workerId, s(move.workerId));
  }
  if (move.to === "running") assignIfAbsent(ATTR.startedAt, at);
  if (isFinal(move.to)) assign(ATTR.finishedAt, at);
  else remove.push(parts.name(ATTR.finishedAt));
  if (move.to === "succeeded") remove.push(parts.name(ATTR.errorType), parts.name(ATTR.errorMessage));
  else if (move.error !== undefined) {
    assign(ATTR.errorType, s(move.error.type));
    assign(ATTR.errorMessage, s(move.error.message));
  }
  if (move.result !== undefined) assign(ATTR.result, { B: new Uint8Array(move.result) });
  return `SET ${set.join(", ")}${remove.length === 0 ? "" : ` REMOVE ${remove.join(", ")}`}`;
}

/** The whole conditional update of a transition. */
export function transitionWrite(move: JobTransition): ConditionalWrite {
  const parts = new ExpressionParts();
  const condition = transitionCondition(move, parts);
  return parts.write(condition, transitionUpdate(move, parts));
}

/** Progress applies only while the record is `running` at the reported attempt. */
export function progressWrite(update: ProgressUpdate): ConditionalWrite {
  const parts = new ExpressionParts();
  const condition =
    `${parts.name(ATTR.state)} = ${parts.value(s("running"))} AND ` +
    `${parts.name(ATTR.attempt)} = ${parts.value(n(update.attempt))}`;
  const set = [
    `${parts.name(ATTR.progress)} = ${parts.value(n(update.percent))}`,
    `${parts.name(ATTR.updatedAt)} = ${parts.value(n(update.at))}`,
  ];
  const message = parts.name(ATTR.progressMessage);
  if (update.message !== undefined) set.push(`${message} = ${parts.value(s(update.message))}`);
  return parts.write(condition, `SET ${set.join(", ")}${update.message === undefined ? ` REMOVE ${message}` : ""}`);
}

/** A put that creates an item only where none exists (a producer's `queued`, never over a worker's record). */
export function createOnlyWrite(): ConditionalWrite {
  const parts = new ExpressionParts();
  return parts.write(`attribute_not_exists(${parts.name(ATTR.pk)})`);
}

/** Renews a lease its holder still holds in time: the token stays. */
export function renewLeaseWrite(claim: LeaseClaim): ConditionalWrite {
  const parts = new ExpressionParts();
  const expiresAt = parts.name(ATTR.expiresAt);
  const condition = `${parts.name(ATTR.holder)} = ${parts.value(s(claim.holder))} AND ${expiresAt} > ${parts.value(n(claim.now))}`;
  return parts.write(condition, `SET ${expiresAt} = ${parts.value(n(claim.now + claim.ttlMs))}`);
}

/** Takes a lease nobody holds or that lapsed: the token grows by one (1 for a lease never taken). */
export function takeLeaseWrite(claim: LeaseClaim): ConditionalWrite {
  const parts = new ExpressionParts();
  const expiresAt = parts.name(ATTR.expiresAt);
  const token = parts.name(ATTR.token);
  const condition = `attribute_not_exists(${parts.name(ATTR.pk)}) OR ${expiresAt} <= ${parts.value(n(claim.now))}`;
  const update =
    `SET ${parts.name(ATTR.name)} = ${parts.value(s(claim.name))}, ` +
    `${parts.name(ATTR.holder)} = ${parts.value(s(claim.holder))}, ` +
    `${expiresAt} = ${parts.value(n(claim.now + claim.ttlMs))}, ` +
    `${token} = if_not_exists(${token}, ${parts.value(n(0))}) + ${parts.value(n(1))}`;
  return parts.write(condition, update);
}

/** Gives a lease up: it lapses at time 0 and keeps its token, so that the next holder's token is greater. */
export function releaseLeaseWrite(holder: string, token: number): ConditionalWrite {
  const parts = new ExpressionParts();
  const condition =
    `${parts.name(ATTR.holder)} = ${parts.value(s(holder))} AND ` +
    `${parts.name(ATTR.token)} = ${parts.value(n(token))}`;
  return parts.write(condition, `SET ${parts.name(ATTR.expiresAt)} = ${parts.value(n(0))}`);
}

/** Deletes a job found by a scrub only if it is still final in `state` and older than `before`. */
export function scrubJobWrite(state: string, before: number): ConditionalWrite {
  const parts = new ExpressionParts();
  const condition =
    `${parts.name(ATTR.state)} = ${parts.value(s(state))} AND ` +
    `${parts.name(ATTR.updatedAt)} < ${parts.value(n(before))}`;
  return parts.write(condition);
}

/** Deletes a worker found by a scrub only if no heartbeat came since. */
export function scrubWorkerWrite(before: number): ConditionalWrite {
  const parts = new ExpressionParts();
  return parts.write(`${parts.name(ATTR.lastSeenAt)} < ${parts.value(n(before))}`);
}
