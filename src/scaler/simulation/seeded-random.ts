/**
 * Seeded pseudo-random numbers for the simulator: every trace and every victim choice is a pure function of a
 * seed, so two runs with the same seed give the same table and each policy sees exactly the same jobs.
 */

/** A source of uniform numbers in (0, 1). */
export type UniformSource = () => number;

/**
 * A xoshiro128** generator seeded through splitmix32 (a small, fast, well-mixed generator; period 2^128 − 1).
 * Returns numbers strictly inside (0, 1), so logarithms and inverse powers never see 0.
 */
export function seededRandom(seed: number): UniformSource {
  let mix = seed >>> 0;
  const splitmix = (): number => {
    mix = (mix + 0x9e3779b9) >>> 0;
    let z = mix;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix() | 1;
  return () => {
    const result = Math.imul(rotate(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
    const shifted = (b << 9) >>> 0;
    c = (c ^ a) >>> 0;
    d = (d ^ b) >>> 0;
    b = (b ^ c) >>> 0;
    a = (a ^ d) >>> 0;
    c = (c ^ shifted) >>> 0;
    d = rotate(d, 11);
    return (result + 0.5) / 4_294_967_296;
  };
}

function rotate(value: number, bits: number): number {
  return ((value << bits) | (value >>> (32 - bits))) >>> 0;
}

/** An exponential variate of the given mean. */
export function exponential(random: UniformSource, mean: number): number {
  return -Math.log(random()) * mean;
}

/** A standard normal variate (Box–Muller; one of the pair is discarded to keep the source stateless). */
export function standardNormal(random: UniformSource): number {
  return Math.sqrt(-2 * Math.log(random())) * Math.cos(2 * Math.PI * random());
}

/** A seed derived from a base seed and a stream number, so independent streams do not share a sequence. */
export function deriveSeed(seed: number, stream: number): number {
  return (Math.imul((seed >>> 0) ^ 0x5bd1e995, 0x27d4eb2d) + Math.imul(stream + 1, 0x165667b1)) >>> 0;
}
