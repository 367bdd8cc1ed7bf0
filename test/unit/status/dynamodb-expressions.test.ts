/**
 * The DynamoDB store's conditional writes as data (no DynamoDB needed): the ConditionExpression of a transition
 * allows exactly what `canTransition` allows (checked with a small evaluator of the expression subset the store
 * writes), every placeholder is used once defined (DynamoDB refuses unused ones), and the update touches what
 * each kind of move must touch.
 */
import { describe, expect, it } from "vitest";
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { canTransition, JOB_STATES, type JobState, type JobTransition } from "thrift-queue";
import {
  progressWrite,
  releaseLeaseWrite,
  renewLeaseWrite,
  takeLeaseWrite,
  transitionWrite,
  type ConditionalWrite,
} from "../../../src/status/dynamodb/dynamodb-expressions.ts";

const TARGETS = ["running", "retrying", "succeeded", "failed", "dead", "cancelled"] as const;

/**
 * Evaluates the condition subset the store writes: clauses joined by OR, each `attribute_not_exists(#a)` or a
 * parenthesised AND of `#a = :v`, `#a <= :v`, `#a > :v` comparisons.
 */
function evaluate(write: ConditionalWrite, item: Record<string, AttributeValue> | undefined): boolean {
  const names = write.ExpressionAttributeNames;
  const values = write.ExpressionAttributeValues ?? {};
  const attribute = (placeholder: string): AttributeValue | undefined => item?.[names[placeholder] ?? "?"];
  return write.ConditionExpression.split(" OR ").some((clause) => {
    const notExists = /^attribute_not_exists\((#\w+)\)$/.exec(clause);
    if (notExists) return attribute(notExists[1]!) === undefined;
    return clause
      .replace(/^\((.*)\)$/, "$1")
      .split(" AND ")
      .every((comparison) => {
        const match = /^(#\w+) (=|<=|>|<) (:\w+)$/.exec(comparison);
        if (!match) throw new Error(`cannot evaluate ${comparison}`);
        const [, name, operator, value] = match;
        const left = attribute(name!);
        const right = values[value!];
        if (left === undefined || right === undefined) return false;
        if (operator === "=") return JSON.stringify(left) === JSON.stringify(right);
        const [l, r] = [Number(left.N), Number(right.N)];
        return operator === "<=" ? l <= r : operator === ">" ? l > r : l < r;
      });
  });
}

function record(state: JobState, attempt: number): Record<string, AttributeValue> {
  return { pk: { S: "job#j" }, state: { S: state }, attempt: { N: String(attempt) } };
}

function move(to: JobTransition["to"], attempt: number, extra: Partial<JobTransition> = {}): JobTransition {
  return { id: "j", to, attempt, at: 1000, workerId: "w", ...extra };
}

/** Every `#name` and `:value` defined is used in the expressions, and every one used is defined. */
function expectPlaceholdersExact(write: ConditionalWrite): void {
  const text = `${write.ConditionExpression} ${write.UpdateExpression ?? ""}`;
  const used = new Set(text.match(/[#:]\w+/g));
  const defined = [
    ...Object.keys(write.ExpressionAttributeNames),
    ...Object.keys(write.ExpressionAttributeValues ?? {}),
  ];
  expect(new Set(defined)).toEqual(used);
  if (write.ExpressionAttributeValues !== undefined)
    expect(Object.keys(write.ExpressionAttributeValues).length).toBeGreaterThan(0);
}

/** The attribute paths an update sets or removes; each at most once (DynamoDB refuses overlapping paths). */
function touched(write: ConditionalWrite): { set: string[]; remove: string[] } {
  const names = write.ExpressionAttributeNames;
  const [setPart = "", removePart = ""] = (write.UpdateExpression ?? "").replace(/^SET /, "").split(" REMOVE ");
  const set = setPart.split(/, (?=#)/).map((assignment) => names[assignment.split(" = ")[0]!] ?? "?");
  const remove = removePart === "" ? [] : removePart.split(", ").map((name) => names[name] ?? "?");
  expect(new Set([...set, ...remove]).size).toBe(set.length + remove.length);
  return { set, remove };
}

describe("transition conditions", () => {
  it("allow exactly what canTransition allows, from every state and attempt", () => {
    for (const from of JOB_STATES) {
      for (const current of [0, 1, 2, 3]) {
        for (const to of TARGETS) {
          for (const attempt of [0, 1, 2, 3, 4]) {
            const label = `${from}@${current} → ${to}@${attempt}`;
            const write = transitionWrite(move(to, attempt));
            expect(evaluate(write, record(from, current)), label).toBe(canTransition(from, current, to, attempt));
            const creating = transitionWrite(move(to, attempt, { create: { service: "S", method: "m" } }));
            expect(evaluate(creating, record(from, current)), `${label} (create)`).toBe(
              canTransition(from, current, to, attempt),
            );
          }
        }
      }
    }
  });

  it("apply to a missing record only when the move may create it", () => {
    for (const to of TARGETS) {
      expect(evaluate(transitionWrite(move(to, 1)), undefined), to).toBe(false);
      expect(evaluate(transitionWrite(move(to, 1, { create: { service: "S", method: "m" } })), undefined), to).toBe(
        true,
      );
    }
  });

  it("spell out the guards as `(#state = :s AND #attempt <= :a) OR …`, create first", () => {
    const write = transitionWrite(move("running", 3, { create: { service: "S", method: "m" } }));
    expect(write.ConditionExpression).toBe(
      "attribute_not_exists(#pk) OR (#state = :v0 AND #attempt <= :v1) OR (#state = :v2 AND #attempt <= :v3) OR " +
        "(#state = :v4 AND #attempt <= :v5)",
    );
    expect(write.ExpressionAttributeValues).toMatchObject({
      ":v0": { S: "queued" },
      ":v1": { N: "3" },
      ":v4": { S: "running" },
      ":v5": { N: "2" },
    });
    expect(transitionWrite(move("cancelled", 9)).ConditionExpression).toBe(
      "(#state = :v0) OR (#state = :v1) OR (#state = :v2)",
    );
  });
});

describe("transition updates", () => {
  it("use every placeholder they define and touch each attribute once, for every kind of move", () => {
    for (const to of TARGETS) {
      for (const extra of [
        {},
        { create: { service: "S", method: "m", queue: "q", enqueuedAt: 5 } },
        { create: { service: "S", method: "m" }, error: { type: "E", message: "x" }, result: new Uint8Array([1]) },
        { workerId: undefined },
      ]) {
        const write = transitionWrite(move(to, 2, extra));
        expectPlaceholdersExact(write);
        touched(write);
      }
    }
  });

  it("keep attempt and worker on cancel, and start a created cancel at attempt 0", () => {
    expect(touched(transitionWrite(move("cancelled", 5))).set).not.toContain("attempt");
    expect(touched(transitionWrite(move("cancelled", 5))).set).not.toContain("workerId");
    const created = transitionWrite(move("cancelled", 5, { create: { service: "S", method: "m" } }));
    expect(created.UpdateExpression).toContain("#attempt = if_not_exists(#attempt, ");
    expect(Object.values(created.ExpressionAttributeValues ?? {})).toContainEqual({ N: "0" });
  });

  it("fill creation fields only where absent, storing unknown ones as NULL", () => {
    const write = transitionWrite(move("dead", 1, { create: { service: "S", method: "m" } }));
    for (const name of ["id", "service", "serviceKey", "method", "queue", "enqueuedAt", "allJobs"]) {
      expect(write.UpdateExpression).toContain(`#${name} = if_not_exists(#${name}, `);
    }
    expect(Object.values(write.ExpressionAttributeValues ?? {}).filter((value) => value.NULL === true)).toHaveLength(2);
    expect(transitionWrite(move("dead", 1)).UpdateExpression).not.toContain("if_not_exists(#service");
  });

  it("set finishedAt on final moves and remove it otherwise; clear the error on success", () => {
    for (const to of TARGETS) {
      const { set, remove } = touched(transitionWrite(move(to, 1, { error: { type: "E", message: "m" } })));
      const final = ["succeeded", "failed", "dead", "cancelled"].includes(to);
      expect(set.includes("finishedAt"), to).toBe(final);
      expect(remove.includes("finishedAt"), to).toBe(!final);
      expect(remove.includes("errorType"), to).toBe(to === "succeeded");
      expect(set.includes("errorType"), to).toBe(to !== "succeeded");
    }
    expect(transitionWrite(move("running", 1)).UpdateExpression).toContain("#startedAt = if_not_exists(#startedAt, ");
  });

  it("store the result as a binary attribute, a copy of the bytes", () => {
    const bytes = new Uint8Array([0, 255, 7]);
    const write = transitionWrite(move("succeeded", 1, { result: bytes }));
    const stored = Object.values(write.ExpressionAttributeValues ?? {}).find((value) => value.B !== undefined);
    expect([...(stored?.B ?? [])]).toEqual([0, 255, 7]);
    expect(stored?.B).not.toBe(bytes);
  });
});

describe("other conditional writes", () => {
  it("record progress only while running at the attempt, removing a stale message", () => {
    const write = progressWrite({ id: "j", attempt: 2, percent: 40, at: 5 });
    expectPlaceholdersExact(write);
    expect(evaluate(write, record("running", 2))).toBe(true);
    expect(evaluate(write, record("running", 3))).toBe(false);
    expect(evaluate(write, record("retrying", 2))).toBe(false);
    expect(write.UpdateExpression).toMatch(/REMOVE #progressMessage$/);
    expectPlaceholdersExact(progressWrite({ id: "j", attempt: 2, percent: 40, message: "half", at: 5 }));
  });

  it("renew a lease only for its holder in time, take it only when free or lapsed, release only with the token", () => {
    const claim = { name: "l", holder: "a", ttlMs: 10, now: 100 };
    const lease = (holder: string, expiresAt: number, token = 1) => ({
      pk: { S: "lease#l" },
      holder: { S: holder },
      expiresAt: { N: String(expiresAt) },
      token: { N: String(token) },
    });
    for (const write of [renewLeaseWrite(claim), takeLeaseWrite(claim), releaseLeaseWrite("a", 1)]) {
      expectPlaceholdersExact(write);
    }
    expect(evaluate(renewLeaseWrite(claim), lease("a", 101))).toBe(true);
    expect(evaluate(renewLeaseWrite(claim), lease("a", 100))).toBe(false);
    expect(evaluate(renewLeaseWrite(claim), lease("b", 500))).toBe(false);
    expect(evaluate(takeLeaseWrite(claim), undefined)).toBe(true);
    expect(evaluate(takeLeaseWrite(claim), lease("b", 100))).toBe(true);
    expect(evaluate(takeLeaseWrite(claim), lease("b", 101))).toBe(false);
    expect(takeLeaseWrite(claim).UpdateExpression).toContain("#token = if_not_exists(#token, :v4) + :v5");
    expect(evaluate(releaseLeaseWrite("a", 1), lease("a", 500, 1))).toBe(true);
    expect(evaluate(releaseLeaseWrite("a", 1), lease("a", 500, 2))).toBe(false);
  });
});
