/**
 * Seeded generator of random, well-formed protocol scenarios (the op format of the golden vectors), used to
 * cross-check against Apache implementations beyond the hand-written cases.
 */
import type { Op, Scenario } from "./scenarios.ts";

/** mulberry32: tiny, fast, good enough to spread test inputs, and reproducible from a seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SCALARS = [2, 3, 4, 6, 8, 10, 11] as const;
const ALL = [...SCALARS, 12, 13, 14, 15] as const;
const I32_EDGES = [-2147483648, -1, 0, 1, 63, 64, -64, -65, 2147483647];
const I64_EDGES = [-(2n ** 63n), -(2n ** 31n), -1n, 0n, 2n ** 52n, 2n ** 53n + 1n, 2n ** 63n - 1n];
const SPECIAL_DOUBLES = ["NaN", "Infinity", "-Infinity", "-0", 0, 5e-324, 1.7976931348623157e308];
/** Code points from several UTF-8 widths, surrogate pairs included (no lone surrogates: Python cannot encode them). */
const CODE_POINTS = [0x61, 0x7a, 0x20, 0x00, 0x7f, 0xe9, 0x7ff, 0x800, 0x65e5, 0xfeff, 0xffff, 0x1f600, 0x10ffff];

/** Generates `count` random scenarios (a struct, or a message holding one) from `seed`. */
export function randomScenarios(seed: number, count: number): Pick<Scenario, "name" | "ops">[] {
  const rand = rng(seed);
  const int = (n: number): number => Math.floor(rand() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const chance = (p: number): boolean => rand() < p;

  const i64 = (): string => {
    if (chance(0.3)) return pick(I64_EDGES).toString();
    const hi = BigInt(int(2 ** 32)) << 32n;
    const v = BigInt.asIntN(64, hi | BigInt(int(2 ** 32)));
    return (chance(0.5) ? v : v >> BigInt(int(60))).toString();
  };
  const double = (): string | number => {
    if (chance(0.3)) return pick(SPECIAL_DOUBLES);
    const bits = new Uint32Array([int(2 ** 32), int(2 ** 32)]);
    const d = new Float64Array(bits.buffer)[0]!;
    return Number.isNaN(d)
      ? "NaN"
      : Object.is(d, -0)
        ? "-0"
        : d === Infinity
          ? "Infinity"
          : d === -Infinity
            ? "-Infinity"
            : d;
  };
  const text = (): string => {
    const n = chance(0.1) ? 40 + int(200) : int(20);
    let s = "";
    for (let i = 0; i < n; i++) s += String.fromCodePoint(chance(0.6) ? 0x61 + int(26) : pick(CODE_POINTS));
    return s;
  };
  const hex = (): string => Array.from({ length: int(24) }, () => int(256).toString(16).padStart(2, "0")).join("");

  const value = (type: number, depth: number, out: Op[]): void => {
    switch (type) {
      case 2:
        out.push(["bool", chance(0.5)]);
        return;
      case 3:
        out.push(["byte", int(256) - 128]);
        return;
      case 4:
        out.push(["double", double()]);
        return;
      case 6:
        out.push(["i16", chance(0.3) ? pick([-32768, -1, 0, 32767]) : int(65536) - 32768]);
        return;
      case 8:
        out.push(["i32", chance(0.3) ? pick(I32_EDGES) : (int(2 ** 32) | 0) >> int(31)]);
        return;
      case 10:
        out.push(["i64", i64()]);
        return;
      case 11:
        out.push(chance(0.7) ? ["string", text()] : ["binary", hex()]);
        return;
      case 12:
        struct(depth, out);
        return;
      case 13: {
        const n = depth > 2 ? 0 : chance(0.1) ? 15 + int(10) : int(5);
        const k = pick(SCALARS);
        const v = depth > 1 ? pick(SCALARS) : pick(ALL);
        out.push(["mapBegin", k, v, n]);
        for (let i = 0; i < n; i++) {
          value(k, depth + 1, out);
          value(v, depth + 1, out);
        }
        out.push(["mapEnd"]);
        return;
      }
      default: {
        const kind = type === 14 ? "set" : "list";
        const n = depth > 2 ? 0 : chance(0.15) ? 14 + int(10) : int(5);
        const e = depth > 1 ? pick(SCALARS) : pick(ALL);
        out.push([`${kind}Begin`, e, n]);
        for (let i = 0; i < n; i++) value(e, depth + 1, out);
        out.push([`${kind}End`]);
      }
    }
  };

  const struct = (depth: number, out: Op[]): void => {
    out.push(["structBegin"]);
    let id = 0;
    const fields = depth > 2 ? int(3) : int(8);
    for (let i = 0; i < fields; i++) {
      // Mostly small ascending steps (short-form headers), sometimes jumps, repeats and negative ids.
      id = chance(0.7) ? id + 1 + int(15) : chance(0.5) ? int(65536) - 32768 : id;
      id = Math.max(-32768, Math.min(32767, id));
      const type = depth > 2 ? pick(SCALARS) : pick(ALL);
      out.push(["fieldBegin", type, id]);
      value(type, depth + 1, out);
      out.push(["fieldEnd"]);
    }
    out.push(["fieldStop"], ["structEnd"]);
  };

  const result: Pick<Scenario, "name" | "ops">[] = [];
  for (let i = 0; i < count; i++) {
    const ops: Op[] = [];
    const message = chance(0.3);
    if (message) ops.push(["messageBegin", chance(0.5) ? "Svc:method" : text(), 1 + int(4), int(2 ** 32) | 0]);
    struct(0, ops);
    if (message) ops.push(["messageEnd"]);
    result.push({ name: `random #${i} (seed ${seed})`, ops });
  }
  return result;
}
