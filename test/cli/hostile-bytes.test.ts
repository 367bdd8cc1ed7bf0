/**
 * Hostile bytes on `decode` stdin: truncated input, huge or negative declared sizes, deep nesting, bad headers,
 * oversized input and random bytes. Every outcome is exit 2 with nothing on stdout and one line on stderr (or,
 * for random bytes that happen to be valid, exit 0 with one line of JSON): never a crash, an internal error or
 * a hang.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { MAPPING_IDL, expectBadInput, expectBytes, runCli, stdoutText, type CliRun } from "./run-cli.ts";

const PROTOCOLS = ["binary", "compact"] as const;
type Protocol = (typeof PROTOCOLS)[number];

const decode = (target: readonly string[], bytes: Uint8Array, protocol: Protocol = "binary") =>
  runCli(["decode", "--idl", MAPPING_IDL, ...target, "--protocol", protocol], bytes);

/** Bytes from hex text; spaces are for reading only. */
const hex = (text: string) =>
  Uint8Array.from(text.replace(/\s+/g, "").match(/../g) ?? [], (pair) => parseInt(pair, 16));

/** A binary-protocol Job whose `sizes` list (field 2) starts with `listHeader`. */
const jobWithSizes = (listHeader: string) => hex(`0b0001 00000001 61  0f0002 ${listHeader}`);

const CONTAINERS_JSON = JSON.stringify({
  ints: [1, 2],
  tags: ["a"],
  by_string: { k: "9223372036854775807" },
  by_bool: [[true, "t"]],
  by_point: [[{ x: 1, y: 2 }, "p"]],
  nested: [{ k: [{ micros: 1 }] }],
});

describe.each(PROTOCOLS)("%s: truncated input", (protocol) => {
  let struct: Uint8Array;
  let message: Uint8Array;
  beforeAll(async () => {
    const options = ["--protocol", protocol];
    struct = expectBytes(
      await runCli(["encode", "--idl", MAPPING_IDL, "--type", "Containers", ...options], CONTAINERS_JSON),
    );
    const call = JSON.stringify({ args: { job: { name: "n", sizes: ["a", "b"], choice: { point: { x: 1 } } } } });
    message = expectBytes(
      await runCli(["encode", "--idl", MAPPING_IDL, "--call", "Jobs.fire", "--multiplexed", ...options], call),
    );
  });

  it("every cut of a struct", async () => {
    for (let cut = 0; cut < struct.length; cut++) {
      expectBadInput(await decode(["--type", "Containers"], struct.subarray(0, cut), protocol), /^thrift-queue: /);
    }
  });

  it("every cut of a message", async () => {
    for (let cut = 0; cut < message.length; cut++) {
      expectBadInput(await decode(["--call"], message.subarray(0, cut), protocol), /^thrift-queue: /);
    }
  });

  it("the error names the field being read", async () => {
    const line = expectBadInput(
      await decode(["--type", "Containers"], struct.subarray(0, struct.length - 3), protocol),
      /^thrift-queue: /,
    );
    expect(line).toMatch(/^thrift-queue: nested(\[0\]|: )/);
  });
});

describe("huge declared sizes are refused before anything is allocated", () => {
  it("binary: a string of 2^31−1 bytes", async () => {
    expectBadInput(
      await decode(["--type", "Job"], jobWithSizes("0b 00000001 7fffffff")),
      "thrift-queue: sizes[0]: string of 2147483647 bytes exceeds 8388608",
    );
  });

  it("binary: a list of 2^31−1 elements, and one larger than the bytes left", async () => {
    expectBadInput(
      await decode(["--type", "Job"], jobWithSizes("0b 7fffffff")),
      "thrift-queue: sizes: container of 2147483647 elements exceeds 1000000",
    );
    expectBadInput(await decode(["--type", "Job"], jobWithSizes("0b 00010000 00000000")), /^thrift-queue: sizes: /);
  });

  it("binary: a map of 2^31−1 entries", async () => {
    expectBadInput(
      await decode(["--type", "Ledger"], hex("0d0001 0b0f 7fffffff")),
      "thrift-queue: ledger: container of 2147483647 elements exceeds 1000000",
    );
  });

  it("binary: a message name of 2^31−1 bytes", async () => {
    expectBadInput(
      await decode(["--call"], hex("80010001 7fffffff")),
      "thrift-queue: string of 2147483647 bytes exceeds 8388608",
    );
  });

  it("compact: a string, a list and a message name of 2^31−1 bytes", async () => {
    // Field 1 (string, delta 1): length varint 0x7fffffff.
    expectBadInput(
      await decode(["--type", "Job"], hex("18 ffffffff07"), "compact"),
      "thrift-queue: name: string of 2147483647 bytes exceeds 8388608",
    );
    // Field 2 (list, delta 1), size 15 (escape) then a varint size of 0x7fffffff, element type string.
    expectBadInput(
      await decode(["--type", "Job"], hex("18 01 61  19 f8 ffffffff07"), "compact"),
      "thrift-queue: sizes: container of 2147483647 elements exceeds 1000000",
    );
    expectBadInput(
      await decode(["--call"], hex("82 21 00 ffffffff07"), "compact"),
      "thrift-queue: string of 2147483647 bytes exceeds 8388608",
    );
  });

  it("compact: sizes of 2^32−1 wrap to negative", async () => {
    expectBadInput(
      await decode(["--type", "Job"], hex("18 ffffffff0f"), "compact"),
      "thrift-queue: name: negative string size -1",
    );
    expectBadInput(
      await decode(["--call"], hex("82 21 00 ffffffff0f"), "compact"),
      "thrift-queue: negative string size -1",
    );
  });

  it("compact: an overlong varint", async () => {
    expectBadInput(
      await decode(["--call"], hex("82 21 00 ffffffffffffffffffff01"), "compact"),
      "thrift-queue: varint32 longer than 5 bytes",
    );
  });

  it("more than 16 MiB on stdin", async () => {
    expectBadInput(
      await decode(["--type", "Point"], new Uint8Array(16 * 1024 * 1024 + 1)),
      "thrift-queue: message of 16777217 bytes exceeds 16777216",
    );
  });
});

describe("negative sizes", () => {
  it.each([
    ["string", jobWithSizes("0b 00000001 ffffffff"), "thrift-queue: sizes[0]: negative string size -1"],
    ["list", jobWithSizes("0b ffffffff"), "thrift-queue: sizes: negative container size -1"],
    ["list of −2^31", jobWithSizes("0b 80000000"), "thrift-queue: sizes: negative container size -2147483648"],
  ])("binary %s", async (_name, bytes, expected) => {
    expectBadInput(await decode(["--type", "Job"], bytes), expected);
  });

  it("binary map", async () => {
    expectBadInput(
      await decode(["--type", "Ledger"], hex("0d0001 0b0f ffffffff")),
      "thrift-queue: ledger: negative container size -1",
    );
  });

  it("binary message name", async () => {
    expectBadInput(await decode(["--call"], hex("80010001 ffffffff")), "thrift-queue: negative string size -1");
  });
});

describe("deep nesting", () => {
  it.each(PROTOCOLS)("%s: known fields nested past the depth limit, with the path", async (protocol) => {
    // Tree.children (field 1, list<Tree>) holding one Tree, 70 times over.
    const level = protocol === "binary" ? "0f0001 0c 00000001 " : "19 1c ";
    const bytes = hex(level.repeat(70) + "00".repeat(protocol === "binary" ? 140 : 70));
    const line = expectBadInput(
      await decode(["--type", "Tree"], bytes, protocol),
      /^thrift-queue: children\[0\]\.children\[0\]/,
    );
    expect(line).toMatch(/…\(\d+ characters cut\)….*children\[0\]: nesting deeper than 64$/);
  });

  it.each(PROTOCOLS)("%s: unknown fields nested 100,000 deep are skipped with the same limit", async (protocol) => {
    // Field 99 of type struct, over and over: never part of Point, so only the skipping code sees it.
    const level = protocol === "binary" ? "0c0063" : "0c c6 01";
    const bytes = hex(level.repeat(100_000) + "00".repeat(100_001));
    expectBadInput(await decode(["--type", "Point"], bytes, protocol), "thrift-queue: nesting deeper than 64");
  });

  it("nested lists inside an unknown field", async () => {
    const bytes = hex("0f0063 0f 00000001 ".repeat(1) + "0f 00000001 ".repeat(100_000));
    expectBadInput(await decode(["--type", "Point"], bytes), "thrift-queue: nesting deeper than 64");
  });
});

describe("bad message headers", () => {
  it.each([
    [
      "an unknown binary version",
      hex("80020001 00000001 61 00000000 00"),
      "binary",
      "thrift-queue: bad binary protocol version 0x80020001",
    ],
    ["message type 5", hex("80010005 00000001 61 00000000 00"), "binary", "thrift-queue: invalid message type 5"],
    ["message type 0", hex("80010000 00000001 61 00000000 00"), "binary", "thrift-queue: invalid message type 0"],
    [
      "a compact protocol id that is not 0x82",
      hex("83 21 00 01 61 00"),
      "compact",
      "thrift-queue: bad compact protocol id 0x83",
    ],
    [
      "binary bytes read as compact",
      hex("80010001 00000001 61 00000000 00"),
      "compact",
      "thrift-queue: bad compact protocol id 0x80",
    ],
  ] as const)("%s", async (_name, bytes, protocol, expected) => {
    expectBadInput(await decode(["--call"], bytes, protocol), expected);
  });
});

/** One line of JSON and exit 0, or the bad-input outcome; anything else (exit 70, two lines) fails. */
function expectCleanOutcome(run: CliRun): "decoded" | "rejected" {
  if (run.code === 0) {
    expect(run.stderr).toBe("");
    const text = stdoutText(run);
    expect(text).toMatch(/^[^\n]*\n$/);
    JSON.parse(text);
    return "decoded";
  }
  expectBadInput(run, /^thrift-queue: /);
  return "rejected";
}

describe.each(PROTOCOLS)("%s: random bytes (property)", (protocol) => {
  const targets = [["--type", "Containers"], ["--type", "Job"], ["--type", "Choice"], ["--call"], ["--call", "Admin"]];

  it("arbitrary bytes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 96 }),
        fc.constantFrom(...targets),
        async (bytes, target) => {
          expectCleanOutcome(await decode(target, bytes, protocol));
        },
      ),
      { numRuns: 400 },
    );
  });

  it("bytes after a valid message header", async () => {
    const header = protocol === "binary" ? hex("80010001 00000004 66697265 00000000") : hex("82 21 00 04 66697265");
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 96 }), async (body) => {
        expectCleanOutcome(await decode(["--call"], Uint8Array.of(...header, ...body), protocol));
      }),
      { numRuns: 300 },
    );
  });

  it("valid encodings with bytes flipped", async () => {
    const valid = expectBytes(
      await runCli(["encode", "--idl", MAPPING_IDL, "--type", "Containers", "--protocol", protocol], CONTAINERS_JSON),
    );
    const outcomes = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        async (flips) => {
          const bytes = valid.slice();
          for (const [position, value] of flips) bytes[position] = value;
          outcomes.add(expectCleanOutcome(await decode(["--type", "Containers"], bytes, protocol)));
        },
      ),
      { numRuns: 300 },
    );
    expect(outcomes.has("rejected")).toBe(true);
  });
});
