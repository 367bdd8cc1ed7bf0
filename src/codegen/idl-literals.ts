/** Integer base types and their inclusive value ranges. */
export const INTEGER_RANGES = {
  i8: [-(2n ** 7n), 2n ** 7n - 1n],
  i16: [-(2n ** 15n), 2n ** 15n - 1n],
  i32: [-(2n ** 31n), 2n ** 31n - 1n],
  i64: [-(2n ** 63n), 2n ** 63n - 1n],
} as const satisfies Record<string, readonly [bigint, bigint]>;

/** The integer base type names. */
export type IntegerTypeName = keyof typeof INTEGER_RANGES;

/** Whether `value` fits the integer type `kind`. */
export function fitsInteger(value: bigint, kind: IntegerTypeName): boolean {
  const [min, max] = INTEGER_RANGES[kind];
  return value >= min && value <= max;
}

/** The value of an IDL integer literal: decimal or `0x` hex, optionally signed (`-0x10`, `+5`, `007`). */
export function parseIntegerLiteral(text: string): bigint {
  const negative = text.startsWith("-");
  const digits = text.startsWith("-") || text.startsWith("+") ? text.slice(1) : text;
  const magnitude = /^0[xX]/.test(digits) ? BigInt(`0x${digits.slice(2)}`) : BigInt(digits);
  return negative ? -magnitude : magnitude;
}

/** The value of an IDL double literal (`1.5`, `-2e10`, `.5`, `1E-3`). */
export function parseDoubleLiteral(text: string): number {
  return Number(text);
}
