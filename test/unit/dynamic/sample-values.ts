/** Hand-picked sample values of the test schema. */

/** Bytes from numbers. */
export const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

/** A value of Everything with every field set. */
export function fullEverything(): Record<string, unknown> {
  return {
    b: true,
    byte: -128,
    small: 32767,
    medium: -2147483648,
    big: -(2n ** 63n),
    d: -0.5,
    s: "héllo ✓ 𝄞",
    bin: bytes(0, 255, 7),
    color: 5,
    ints: [1, -1, 0],
    tags: new Set(["a", "b"]),
    points: new Map([["p", { x: 1, y: 2 }]]),
    nested: new Map([[2n ** 40n, [{ x: 3, y: 4 }]]]),
    byColor: new Map([
      [1, 1.5],
      [99, Number.NaN],
    ]),
    byPoint: new Map([[{ x: 0, y: 0 }, "origin"]]),
    byBool: new Map([
      [true, 1],
      [false, 0],
    ]),
    byBinary: new Map([[bytes(1, 2), "12"]]),
    choice: { point: { x: 9, y: 9 } },
    deep: [new Map([[7, new Set([1n, -1n])]]), new Map()],
    byDouble: new Map([[Number.POSITIVE_INFINITY, true]]),
    oops: { message: "bad", code: 3 },
    bySmall: new Map([[-5, [bytes(), bytes(1)]]]),
    bools: [true, false, true],
    colors: new Set([1, 2, 12345]),
    byList: new Map([[[1, 2], "one-two"]]),
    negative: 42,
    far: false,
  };
}
