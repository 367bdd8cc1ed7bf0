/** Splitting sends into valid SendMessageBatch calls. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_BATCH_BYTES, splitIntoBatches } from "../../../../src/transport/sqs/sqs-batches.ts";

const identity = (size: number): number => size;

describe("splitIntoBatches", () => {
  it("closes a batch at 10 entries", () => {
    expect(
      splitIntoBatches(
        Array.from({ length: 21 }, () => 1),
        identity,
      ).map((batch) => batch.length),
    ).toEqual([10, 10, 1]);
  });

  it("closes a batch before it would pass 1 MiB, an exact fit included", () => {
    const half = MAX_BATCH_BYTES / 2;
    expect(splitIntoBatches([half, half, 1, half], identity)).toEqual([
      [half, half],
      [1, half],
    ]);
    expect(splitIntoBatches([MAX_BATCH_BYTES, 1], identity)).toEqual([[MAX_BATCH_BYTES], [1]]);
  });

  it("gives an oversized item a batch of its own, and nothing for nothing", () => {
    expect(splitIntoBatches([1, MAX_BATCH_BYTES + 1, 1], identity)).toEqual([[1], [MAX_BATCH_BYTES + 1], [1]]);
    expect(splitIntoBatches([], identity)).toEqual([]);
  });

  it("keeps order and every item, and each batch within the limits (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: MAX_BATCH_BYTES }), { maxLength: 60 }), (sizes) => {
        const batches = splitIntoBatches(sizes, identity);
        expect(batches.flat()).toEqual(sizes);
        for (const batch of batches) {
          expect(batch.length).toBeGreaterThan(0);
          expect(batch.length).toBeLessThanOrEqual(10);
          expect(batch.reduce((sum, size) => sum + size, 0)).toBeLessThanOrEqual(MAX_BATCH_BYTES);
        }
        // Greedy: no batch could have taken the first item of the next one.
        for (let index = 0; index + 1 < batches.length; index++) {
          const batch = batches[index] ?? [];
          const next = batches[index + 1]?.[0] ?? 0;
          const full = batch.length >= 10 || batch.reduce((sum, size) => sum + size, 0) + next > MAX_BATCH_BYTES;
          expect(full).toBe(true);
        }
      }),
    );
  });
});
