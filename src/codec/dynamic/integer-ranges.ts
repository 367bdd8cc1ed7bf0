/** Range checks of Thrift integers as the runtime represents them (numbers for i8/i16/i32, bigint for i64). */

/** Smallest and largest value of each number-represented integer type. */
export const INT_RANGES = {
  i8: [-0x80, 0x7f],
  i16: [-0x8000, 0x7fff],
  i32: [-0x80000000, 0x7fffffff],
} as const;

/** The integer types represented as numbers. */
export type NumberIntKind = keyof typeof INT_RANGES;

/** Smallest i64. */
export const I64_MIN = -(2n ** 63n);
/** Largest i64. */
export const I64_MAX = 2n ** 63n - 1n;

/** Whether `value` is an integer number within the range of `kind`. */
export function isIntOf(kind: NumberIntKind, value: unknown): value is number {
  const [min, max] = INT_RANGES[kind];
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}

/** Whether `value` is a bigint within the i64 range. */
export function isI64(value: unknown): value is bigint {
  return typeof value === "bigint" && value >= I64_MIN && value <= I64_MAX;
}
