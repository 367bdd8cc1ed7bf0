/**
 * Bad input to encode and decode: exit code 2, nothing on stdout, exactly one line on stderr that names the
 * field path. (Hostile bytes are in hostile-bytes.test.ts, command-line mistakes in usage.test.ts.)
 */
import { describe, expect, it } from "vitest";
import { MAPPING_IDL, expectBadInput, expectBytes, expectJson, runCli } from "./run-cli.ts";

const IDL = ["--idl", MAPPING_IDL] as const;
const encodeType = (type: string, json: string) => runCli(["encode", ...IDL, "--type", type], json);
const encodeFire = (json: string) => runCli(["encode", ...IDL, "--call", "Jobs.fire"], json);

describe("encode: JSON that does not fit the type", () => {
  it.each([
    // The issue's examples.
    ["Ledger", '{"ledger": {"a": [{"micros": 1}, {"micros": "x"}]}}', 'ledger["a"][1].micros: expected i64, got "x"'],
    // Wrong value types.
    ["Scalars", '{"flag": 1}', "flag: expected bool, got 1"],
    ["Scalars", '{"text": 5}', "text: expected string, got 5"],
    ["Scalars", '{"normal": "5"}', 'normal: expected i32, got "5"'],
    ["Scalars", '{"normal": 1.5}', "normal: expected i32, got 1.5"],
    ["Scalars", '{"ratio": "1.5"}', 'ratio: expected double, got "1.5"'],
    ["Scalars", '{"ratio": "nan"}', 'ratio: expected double, got "nan"'],
    ["Scalars", '{"data": "AQ"}', 'data: expected binary (base64), got "AQ"'],
    ["Scalars", '{"data": "_-8="}', 'data: expected binary (base64), got "_-8="'],
    ["Scalars", '{"color": "PINK"}', 'color: expected enum mapping.Color, got "PINK"'],
    ["Scalars", '{"color": "red"}', 'color: expected enum mapping.Color, got "red"'],
    ["Scalars", '{"big": "x"}', 'big: expected i64, got "x"'],
    ["Scalars", '{"big": "1.0"}', 'big: expected i64, got "1.0"'],
    ["Containers", '{"ints": {"0": 1}}', 'ints: expected list<i32>, got {"0":1}'],
    ["Containers", '{"ints": [1, null]}', "ints[1]: expected i32, got null"],
    ["Containers", '{"tags": "a"}', 'tags: expected set<string>, got "a"'],
    [
      "Containers",
      '{"by_point": {"a": "b"}}',
      'by_point["a"]: expected struct mapping.Point key as JSON text, got "a"',
    ],
    ["Containers", '{"by_point": [[{"x": 1, "y": "2"}, "p"]]}', 'by_point[0][0].y: expected i32, got "2"'],
    ["Containers", '{"by_bool": [[true]]}', "by_bool[0]: expected [key, value] pair, got [true]"],
    ["Containers", '{"by_bool": {"yes": "x"}}', 'by_bool["yes"]: expected bool, got "yes"'],
    ["Containers", '{"by_color": {"PINK": "x"}}', 'by_color["PINK"]: expected enum mapping.Color, got "PINK"'],
    ["Containers", '{"by_i64": {"5": 6}}', "by_i64[5]: expected string, got 6"],
    ["Containers", '{"nested": [{}, {"k": [{"micros": true}]}]}', 'nested[1]["k"][0].micros: expected i64, got true'],
    ["Choice", '{"point": []}', "point: expected struct mapping.Point, got []"],
    // Out-of-range integers.
    ["Scalars", '{"tiny": 128}', "tiny: expected i8, got 128"],
    ["Scalars", '{"small": -129}', "small: expected i8, got -129"],
    ["Scalars", '{"short_value": 32768}', "short_value: expected i16, got 32768"],
    ["Scalars", '{"normal": 2147483648}', "normal: expected i32, got 2147483648"],
    ["Scalars", '{"big": 9007199254740992}', "big: expected i64, got 9007199254740992"],
    ["Scalars", '{"big": "9223372036854775808"}', 'big: expected i64, got "9223372036854775808"'],
    ["Scalars", '{"big": "-9223372036854775809"}', 'big: expected i64, got "-9223372036854775809"'],
    ["Scalars", '{"color": 2147483648}', "color: expected enum mapping.Color, got 2147483648"],
    ["Containers", '{"by_i8": {"128": true}}', 'by_i8["128"]: expected i8, got "128"'],
    ["Containers", '{"by_i16": [[-32769, 1]]}', "by_i16[0][0]: expected i16, got -32769"],
  ])("%s %s", async (type, json, message) => {
    expectBadInput(await encodeType(type, json), `thrift-queue: ${message}`);
  });

  it("unknown field names, at any depth", async () => {
    expectBadInput(await encodeType("Point", '{"x": 1, "z": 2}'), 'thrift-queue: unknown field "z"');
    expectBadInput(
      await encodeType("Ledger", '{"job": {"name": "n", "nmae": "m"}}'),
      'thrift-queue: job: unknown field "nmae"',
    );
    expectBadInput(await encodeType("Point", '{"__proto__": 1}'), 'thrift-queue: unknown field "__proto__"');
  });

  it("missing required fields", async () => {
    expectBadInput(await encodeType("Job", "{}"), "thrift-queue: name: missing required field");
    expectBadInput(await encodeType("Job", '{"name": null}'), "thrift-queue: name: missing required field");
    expectBadInput(
      await encodeType("Ledger", '{"ledger": {"a": [{"micros": 1}, {}]}}'),
      'thrift-queue: ledger["a"][1].micros: missing required field',
    );
  });

  it("a union needs exactly one field", async () => {
    expectBadInput(
      await encodeType("Choice", '{"text": "a", "number": 1}'),
      "thrift-queue: a union must have exactly one field set, got 2",
    );
    expectBadInput(await encodeType("Choice", "{}"), "thrift-queue: a union must have exactly one field set, got 0");
    expectBadInput(
      await encodeType("Job", '{"name": "n", "choice": {"text": "a", "point": {}}}'),
      "thrift-queue: choice: a union must have exactly one field set, got 2",
    );
  });

  it("--call: paths start at the argument name", async () => {
    expectBadInput(
      await encodeFire('{"args": {"job": {"name": "n", "sizes": ["a", 5]}}}'),
      "thrift-queue: job.sizes[1]: expected string, got 5",
    );
    expectBadInput(await encodeFire('{"args": {"job": {}}}'), "thrift-queue: job.name: missing required field");
    expectBadInput(await encodeFire('{"args": {"jobs": {}}}'), 'thrift-queue: unknown field "jobs"');
  });

  it('--call: the {"args": …} wrapper', async () => {
    expectBadInput(await encodeFire('{"job": {"name": "n"}}'), 'thrift-queue: expected {"args": {…}} for --call');
    expectBadInput(await encodeFire("[]"), 'thrift-queue: expected {"args": {…}} for --call');
    expectBadInput(await encodeFire('{"args": {}, "seqid": 1}'), 'thrift-queue: unknown field "seqid"');
    expectBadInput(await encodeFire('{"args": []}'), "thrift-queue: expected struct mapping.Jobs_fire_args, got []");
  });

  it("deeply nested JSON fails cleanly, on one line of bounded length", async () => {
    const depth = 5000;
    const line = expectBadInput(
      await encodeType("Tree", `${'{"children": ['.repeat(depth)}{}${"]}".repeat(depth)}`),
      /^thrift-queue: children\[0\]\.children\[0\].*…\(\d+ characters cut\)….*children\[0\]: value nests deeper than 1000 levels \(is it cyclic\?\)$/,
    );
    expect(line.length).toBeLessThan(400);
    // Deeper than JSON.parse itself is happy with.
    expectBadInput(await encodeType("Tree", `${"[".repeat(200_000)}${"]".repeat(200_000)}`), /^thrift-queue: /);
  });

  it("a megabyte map key is cut in the middle of the line", async () => {
    const key = "k".repeat(1_000_000);
    const line = expectBadInput(
      await encodeType("Containers", `{"by_string": {"${key}": "x"}}`),
      /^thrift-queue: by_string\["kkk/,
    );
    expect(line).toMatch(/kkk"\]: expected i64, got "x"$/);
    expect(line.length).toBeLessThan(400);
  });
});

describe("encode: stdin that is not one JSON value", () => {
  it.each([
    ["", "thrift-queue: no input on stdin: expected one JSON value"],
    [" \n\t", "thrift-queue: no input on stdin: expected one JSON value"],
    ['{"x": 1', /^thrift-queue: invalid JSON on stdin: /],
    ['{"x": 1} {"x": 2}', /^thrift-queue: invalid JSON on stdin: /],
    ["{'x': 1}", /^thrift-queue: invalid JSON on stdin: /],
    ["null", "thrift-queue: expected struct mapping.Point, got null"],
    ["[1, 2]", "thrift-queue: expected struct mapping.Point, got [1,2]"],
    ['"x"', 'thrift-queue: expected struct mapping.Point, got "x"'],
  ])("%j", async (stdin, expected) => {
    expectBadInput(await encodeType("Point", stdin), expected);
  });

  it("invalid UTF-8", async () => {
    const bytes = Uint8Array.of(
      ...new TextEncoder().encode('{"text": "'),
      0xc3,
      0x28,
      ...new TextEncoder().encode('"}'),
    );
    expectBadInput(
      await runCli(["encode", ...IDL, "--type", "Scalars"], bytes),
      "thrift-queue: stdin is not valid UTF-8",
    );
  });
});

describe("unknown names", () => {
  it.each([
    [["encode", "--type", "Nope"], 'thrift-queue: unknown type "Nope": no struct, union or exception of that name'],
    [["decode", "--type", "Nope"], 'thrift-queue: unknown type "Nope": no struct, union or exception of that name'],
    [["encode", "--type", "Color"], 'thrift-queue: unknown type "Color": no struct, union or exception of that name'],
    [["encode", "--type", "Jobs"], 'thrift-queue: unknown type "Jobs": no struct, union or exception of that name'],
    // A typedef names a --type only when it stands for a struct.
    [["encode", "--type", "Micros"], 'thrift-queue: unknown type "Micros": no struct, union or exception of that name'],
    // Names of an included file need their include prefix.
    [["encode", "--type", "Money"], 'thrift-queue: unknown type "Money": no struct, union or exception of that name'],
    [
      ["encode", "--type", "billing.Nope"],
      'thrift-queue: unknown type "billing.Nope": no struct, union or exception of that name',
    ],
    [
      ["encode", "--type", "billing.Currency"],
      'thrift-queue: unknown type "billing.Currency": no struct, union or exception of that name',
    ],
    [["encode", "--call", "Jobs.nope"], 'thrift-queue: unknown method "nope" of service Jobs'],
    [["encode", "--call", "Nope.fire"], 'thrift-queue: unknown service "Nope"'],
    [["encode", "--call", "Base.ping"], 'thrift-queue: unknown service "Base"'],
    [["decode", "--call", "Nope"], 'thrift-queue: unknown service "Nope"'],
  ])("%j", async (argv, expected) => {
    const [command, ...rest] = argv;
    const stdin = command === "encode" ? '{"args": {}}' : Uint8Array.of(0);
    expectBadInput(await runCli([command!, ...IDL, ...rest], stdin), expected);
  });
});

describe("decode: bytes that are not what was asked for", () => {
  async function fireBytes(multiplexed: boolean): Promise<Uint8Array> {
    const flags = multiplexed ? ["--multiplexed"] : [];
    return expectBytes(
      await runCli(["encode", ...IDL, "--call", "Jobs.fire", ...flags], '{"args": {"job": {"name": "n"}}}'),
    );
  }

  it("--call <Service>.<method> that does not match the message", async () => {
    const plain = await fireBytes(false);
    const multiplexed = await fireBytes(true);
    const decode = (target: string, bytes: Uint8Array) => runCli(["decode", ...IDL, "--call", target], bytes);
    expectBadInput(await decode("Jobs.submit", plain), "thrift-queue: expected a message of method submit, got fire");
    expectBadInput(
      await decode("Admin.submit", multiplexed),
      'thrift-queue: message "Jobs:fire" is not for service Admin',
    );
    expectBadInput(await decode("Admin", multiplexed), 'thrift-queue: message "Jobs:fire" is not for service Admin');
    expectBadInput(await decode("billing.Base", plain), 'thrift-queue: unknown method "fire" of service Base');
    // The matching ones succeed.
    expect(expectJson(await decode("Jobs.fire", multiplexed))).toMatchObject({ service: "Jobs", method: "fire" });
    expect(expectJson(await decode("Admin.fire", plain))).toMatchObject({ service: "Admin", method: "fire" });
  });

  it("an exception whose multiplexed name is for another service", async () => {
    const bytes = Uint8Array.of(
      ...[0x80, 1, 0, 3], // strict header, EXCEPTION
      ...[0, 0, 0, 8, ...new TextEncoder().encode("Jobs:fir")],
      ...[0, 0, 0, 0], // seqid
      0, // empty TApplicationException
    );
    expect(expectJson(await runCli(["decode", ...IDL, "--call", "Jobs"], bytes))).toMatchObject({ type: "exception" });
    expectBadInput(
      await runCli(["decode", ...IDL, "--call", "Admin"], bytes),
      'thrift-queue: message "Jobs:fir" is not for service Admin',
    );
  });

  it("a message for a method or service the IDL lacks", async () => {
    const message = (name: string) =>
      Uint8Array.of(0x80, 1, 0, 1, 0, 0, 0, name.length, ...new TextEncoder().encode(name), 0, 0, 0, 0, 0);
    expectBadInput(await runCli(["decode", ...IDL, "--call"], message("nope")), 'thrift-queue: unknown method "nope"');
    expectBadInput(
      await runCli(["decode", ...IDL, "--call"], message("Nope:fire")),
      'thrift-queue: unknown service "Nope"',
    );
  });

  it("the wrong --protocol", async () => {
    expectBadInput(
      await runCli(["decode", ...IDL, "--call", "--protocol", "compact"], await fireBytes(false)),
      "thrift-queue: bad compact protocol id 0x80",
    );
  });

  it("a union with more than one field, or none, and a missing required field", async () => {
    const twoFields = Uint8Array.of(11, 0, 1, 0, 0, 0, 1, 0x61, 10, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0);
    expectBadInput(
      await runCli(["decode", ...IDL, "--type", "Choice"], twoFields),
      "thrift-queue: a union must have exactly one field set, got 2",
    );
    expectBadInput(
      await runCli(["decode", ...IDL, "--type", "Choice"], Uint8Array.of(0)),
      "thrift-queue: a union must have exactly one field set, got 0",
    );
    const ledger = Uint8Array.of(
      ...[13, 0, 1, 11, 15, 0, 0, 0, 1], // field 1: map<string, list<struct>> of one entry
      ...[0, 0, 0, 1, 0x61], // key "a"
      ...[12, 0, 0, 0, 2], // a list of two structs
      ...[10, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0], // {micros: 1}
      ...[0], // {}: micros is missing
      0,
    );
    expectBadInput(
      await runCli(["decode", ...IDL, "--type", "Ledger"], ledger),
      'thrift-queue: ledger["a"][1].micros: missing required field',
    );
  });

  it("empty stdin", async () => {
    for (const target of [["--type", "Point"], ["--call"]]) {
      expectBadInput(
        await runCli(["decode", ...IDL, ...target], new Uint8Array()),
        "thrift-queue: no input on stdin: expected Thrift bytes",
      );
    }
  });
});

describe("decode: trailing bytes after the struct or message are rejected", () => {
  it.each(["binary", "compact"])("%s", async (protocol) => {
    const point = expectBytes(await runCli(["encode", ...IDL, "--type", "Point", "--protocol", protocol], '{"x": 1}'));
    const decodePoint = (bytes: Uint8Array) =>
      runCli(["decode", ...IDL, "--type", "Point", "--protocol", protocol], bytes);
    expect(expectJson(await decodePoint(point))).toEqual({ x: 1 });
    expectBadInput(
      await decodePoint(Uint8Array.of(...point, 0)),
      "thrift-queue: unexpected 1 byte after the end of the struct",
    );
    expectBadInput(
      await decodePoint(Uint8Array.of(...point, ...point)),
      `thrift-queue: unexpected ${point.length} bytes after the end of the struct`,
    );
    const call = expectBytes(
      await runCli(["encode", ...IDL, "--call", "Admin.reset", "--protocol", protocol], '{"args": {}}'),
    );
    expectBadInput(
      await runCli(["decode", ...IDL, "--call", "--protocol", protocol], Uint8Array.of(...call, 10, 10)),
      "thrift-queue: unexpected 2 bytes after the end of the message",
    );
  });
});
