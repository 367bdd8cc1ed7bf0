/** The job state machine every status store applies: no regression from late duplicates, no lost final state. */
import { describe, expect, it } from "vitest";
import {
  allowedFrom,
  canTransition,
  isFinal,
  JOB_STATES,
  transitionGuards,
  type JobState,
} from "../../../src/status/job-state.ts";

describe("job state transitions", () => {
  it("never leaves a final state", () => {
    for (const final of ["succeeded", "failed", "dead", "cancelled"] as const) {
      expect(isFinal(final)).toBe(true);
      for (const to of JOB_STATES) expect(canTransition(final, 1, to, 2)).toBe(false);
    }
  });

  it("writes queued only to create a record", () => {
    expect(allowedFrom("queued")).toEqual([]);
    for (const from of JOB_STATES) expect(canTransition(from, 1, "queued", 1)).toBe(false);
  });

  it.each([
    ["queued", 0, "running", 1, true],
    ["retrying", 1, "running", 2, true],
    ["running", 1, "running", 2, true], // the worker died; the message came again
    ["running", 2, "running", 2, false], // a duplicate delivery of the same attempt
    ["running", 2, "running", 1, false], // a stale worker
    ["running", 1, "succeeded", 1, true],
    ["running", 2, "succeeded", 1, false], // the first worker finished after its lease was lost
    ["running", 1, "retrying", 1, true],
    ["running", 1, "failed", 1, true],
    ["queued", 0, "dead", 1, true], // undecodable: dead-lettered before it ever ran
    ["retrying", 3, "dead", 3, true],
    ["queued", 0, "succeeded", 1, false],
    ["retrying", 1, "succeeded", 1, false],
    ["running", 5, "cancelled", 0, true],
  ] satisfies [JobState, number, JobState, number, boolean][])(
    "%s (attempt %i) → %s (attempt %i): %s",
    (from, fromAttempt, to, attempt, allowed) => {
      expect(canTransition(from, fromAttempt, to, attempt)).toBe(allowed);
    },
  );
});

describe("transition guards", () => {
  it("say exactly what canTransition says, for every state pair and attempt", () => {
    for (const from of JOB_STATES) {
      for (const to of JOB_STATES) {
        for (let current = 0; current <= 3; current += 1) {
          for (let attempt = 0; attempt <= 3; attempt += 1) {
            const guarded = transitionGuards(to, attempt).some(
              (guard) => guard.from === from && current <= guard.maxAttempt,
            );
            expect(guarded, `${from}@${current} → ${to}@${attempt}`).toBe(canTransition(from, current, to, attempt));
          }
        }
      }
    }
  });
});
