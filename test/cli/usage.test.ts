/** Command-line mistakes: exit code 2, nothing on stdout, one line on stderr. Also help and version. */
import { describe, expect, it } from "vitest";
import { VERSION } from "../../src/version.ts";
import { MAPPING_IDL, expectBadInput, fixture, runCli, stdoutText } from "./run-cli.ts";

const TYPE = ["--type", "Point"];

describe.each(["encode", "decode"])("%s", (command) => {
  const hint = `; see \`thrift-queue ${command} --help\``;
  const usage = (message: string) => `thrift-queue ${command}: ${message}${hint}`;
  const run = (...argv: string[]) => runCli([command, ...argv], command === "encode" ? '{"x": 1}' : Uint8Array.of(0));

  it("unknown options", async () => {
    expectBadInput(await run("--idl", MAPPING_IDL, ...TYPE, "--bogus"), usage("unknown option --bogus"));
    expectBadInput(await run("--idl", MAPPING_IDL, ...TYPE, "-x"), usage("unknown option -x"));
  });

  it("missing --idl, or its value", async () => {
    expectBadInput(await run(...TYPE), usage("missing --idl"));
    expectBadInput(await run(...TYPE, "--idl"), usage("missing value for --idl"));
    expectBadInput(await run("--idl", ...TYPE), usage("missing value for --idl"));
    expectBadInput(await run("--idl", "", ...TYPE), usage("missing --idl"));
  });

  it("a missing or unreadable IDL file", async () => {
    const missing = fixture("no-such-file.thrift");
    expectBadInput(await run("--idl", missing, ...TYPE), new RegExp(`^thrift-queue: cannot read ${missing}: ENOENT`));
    const folder = fixture("");
    expectBadInput(await run("--idl", folder, ...TYPE), /^thrift-queue: cannot read .*: EISDIR/);
  });

  it("an IDL file with errors is reported at file:line:col", async () => {
    const bad = fixture("../../fixtures/idl/bad/unresolved-type.thrift");
    expectBadInput(
      await run("--idl", bad, ...TYPE),
      /\/test\/fixtures\/idl\/bad\/unresolved-type\.thrift:3:11: unknown type "Shape"$/,
    );
  });

  it("a bad --protocol value", async () => {
    expectBadInput(
      await run("--idl", MAPPING_IDL, ...TYPE, "--protocol", "json"),
      usage('--protocol must be "binary" or "compact", got "json"'),
    );
    expectBadInput(await run("--idl", MAPPING_IDL, ...TYPE, "--protocol"), usage("missing value for --protocol"));
  });

  it("both or neither of --type and --call", async () => {
    expectBadInput(await run("--idl", MAPPING_IDL), usage("give exactly one of --type or --call"));
    expectBadInput(
      await run("--idl", MAPPING_IDL, ...TYPE, "--call", "Jobs.fire"),
      usage("give exactly one of --type or --call"),
    );
  });

  it("stray arguments", async () => {
    expectBadInput(await run("--idl", MAPPING_IDL, ...TYPE, "extra"), usage('unexpected argument "extra"'));
  });

  it("--help prints the usage on stdout", async () => {
    const result = await runCli([command, "--help"]);
    expect(result.code).toBe(0);
    expect(stdoutText(result)).toMatch(new RegExp(`^Usage: thrift-queue ${command} --idl <file>`));
    expect(result.stderr).toBe("");
  });
});

describe("command-specific options", () => {
  it("encode --call needs <Service>.<method>", async () => {
    expectBadInput(
      await runCli(["encode", "--idl", MAPPING_IDL, "--call", "Jobs"], '{"args": {}}'),
      'thrift-queue encode: expected <Service>.<method>, got "Jobs"; see `thrift-queue encode --help`',
    );
  });

  it("--multiplexed is a flag of encode only", async () => {
    expectBadInput(
      await runCli(["encode", "--idl", MAPPING_IDL, ...TYPE, "--multiplexed=yes"], "{}"),
      "thrift-queue encode: --multiplexed takes no value; see `thrift-queue encode --help`",
    );
    expectBadInput(
      await runCli(["decode", "--idl", MAPPING_IDL, "--call", "--multiplexed"], Uint8Array.of(0)),
      "thrift-queue decode: unknown option --multiplexed; see `thrift-queue decode --help`",
    );
  });

  it("decode --call takes an optional value, also before other options", async () => {
    expectBadInput(
      await runCli(["decode", "--call", "--idl", MAPPING_IDL, "--protocol", "compact"], Uint8Array.of(0)),
      /^thrift-queue: /,
    );
  });
});

describe("commands", () => {
  it("no command", async () => {
    expectBadInput(await runCli([]), "thrift-queue: no command given; run `thrift-queue help`");
  });

  it("an unknown command", async () => {
    expectBadInput(await runCli(["encdoe"]), 'thrift-queue: unknown command "encdoe"; run `thrift-queue help`');
  });

  it("help and version", async () => {
    for (const argv of [["help"], ["--help"], ["-h"]]) {
      const result = await runCli(argv);
      expect(result.code).toBe(0);
      expect(stdoutText(result)).toMatch(/^thrift-queue \S+: .*\n\nUsage: thrift-queue <command>/);
      expect(stdoutText(result)).toMatch(/^ {2}gen .*\n {2}encode .*\n {2}decode /m);
    }
    const version = await runCli(["--version"]);
    expect({ code: version.code, stdout: stdoutText(version) }).toEqual({ code: 0, stdout: `${VERSION}\n` });
  });
});
