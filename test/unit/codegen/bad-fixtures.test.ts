import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSchema } from "../../../src/codegen/load-schema.ts";
import type { GeneratorErrorCode } from "../../../src/errors.ts";
import { expectGeneratorError } from "./idl-test-helpers.ts";

const DIR = "test/fixtures/idl/bad";

interface BadCase {
  readonly code: GeneratorErrorCode;
  /** `file:line:col`, the file relative to DIR. */
  readonly where: string;
  readonly detail: string;
  /** Whether Apache Thrift 0.17 also rejects the file (otherwise it only warns, or accepts it). */
  readonly apacheRejects: boolean;
}

const CASES: Readonly<Record<string, BadCase>> = {
  "syntax-error.thrift": {
    code: "GEN_SYNTAX",
    where: "syntax-error.thrift:4:1",
    detail: 'Unable to find identifier for field (found "}")',
    apacheRejects: true,
  },
  "unterminated-string.thrift": {
    code: "GEN_SYNTAX",
    where: "unterminated-string.thrift:2:25",
    detail: "end of line inside a string literal",
    apacheRejects: true,
  },
  "missing-include.thrift": {
    code: "GEN_INCLUDE_NOT_FOUND",
    where: "missing-include.thrift:2:1",
    detail: `cannot find included file "does-not-exist.thrift" (looked for ${DIR}/does-not-exist.thrift)`,
    apacheRejects: false,
  },
  "unresolved-type.thrift": {
    code: "GEN_UNRESOLVED",
    where: "unresolved-type.thrift:3:11",
    detail: 'unknown type "Shape"',
    apacheRejects: true,
  },
  "unknown-enum-value.thrift": {
    code: "GEN_UNRESOLVED",
    where: "unknown-enum-value.thrift:7:24",
    detail: 'enum unknown-enum-value.Color has no value "PURPLE"',
    apacheRejects: true,
  },
  "unknown-struct-field.thrift": {
    code: "GEN_UNRESOLVED",
    where: "unknown-struct-field.thrift:7:31",
    detail: 'struct unknown-struct-field.Point has no field named "z"',
    apacheRejects: true,
  },
  "duplicate-field-id.thrift": {
    code: "GEN_DUPLICATE",
    where: "duplicate-field-id.thrift:5:3",
    detail: 'field id 2 of "created_at" is already used by "email" in duplicate-field-id.User',
    apacheRejects: true,
  },
  "duplicate-definition.thrift": {
    code: "GEN_DUPLICATE",
    where: "duplicate-definition.thrift:6:8",
    detail: '"Status" is already defined at 2:6',
    apacheRejects: true,
  },
  "duplicate-enum-value.thrift": {
    code: "GEN_DUPLICATE",
    where: "duplicate-enum-value.thrift:5:3",
    detail: 'enum duplicate-enum-value.Level already has a value "LOW"',
    apacheRejects: true,
  },
  "override-method.thrift": {
    code: "GEN_DUPLICATE",
    where: "override-method.thrift:7:8",
    detail: 'method "ping" is already defined in parent service override-method.Base',
    apacheRejects: true,
  },
  "duplicate-module.thrift": {
    code: "GEN_DUPLICATE",
    where: "duplicate-module.thrift:3:1",
    detail: `module name "types" of ${DIR}/two/types.thrift is already used by ${DIR}/one/types.thrift (module names come from file names)`,
    apacheRejects: false,
  },
  "include-cycle-a.thrift": {
    code: "GEN_INVALID",
    where: "include-cycle-b.thrift:2:1",
    detail: `include cycle: ${DIR}/include-cycle-a.thrift -> ${DIR}/include-cycle-b.thrift -> ${DIR}/include-cycle-a.thrift`,
    apacheRejects: true,
  },
  "include-cycle-b.thrift": {
    code: "GEN_INVALID",
    where: "include-cycle-a.thrift:2:1",
    detail: `include cycle: ${DIR}/include-cycle-b.thrift -> ${DIR}/include-cycle-a.thrift -> ${DIR}/include-cycle-b.thrift`,
    apacheRejects: true,
  },
  "const-out-of-range.thrift": {
    code: "GEN_INVALID",
    where: "const-out-of-range.thrift:2:18",
    detail: "integer 200 is out of range for i8",
    apacheRejects: false,
  },
  "const-type-mismatch.thrift": {
    code: "GEN_INVALID",
    where: "const-type-mismatch.thrift:2:19",
    detail: "expected i32, found double 0.5",
    apacheRejects: true,
  },
  "circular-const.thrift": {
    code: "GEN_INVALID",
    where: "circular-const.thrift:3:15",
    detail: "constant circular-const.A refers to itself",
    apacheRejects: true,
  },
  "typedef-cycle.thrift": {
    code: "GEN_INVALID",
    where: "typedef-cycle.thrift:2:16",
    detail: "typedef typedef-cycle.First refers to itself",
    apacheRejects: false,
  },
  "enum-overflow.thrift": {
    code: "GEN_INVALID",
    where: "enum-overflow.thrift:4:10",
    detail: "enum value HUGE = 2147483648 does not fit in i32",
    apacheRejects: true,
  },
  "oneway-returns-value.thrift": {
    code: "GEN_INVALID",
    where: "oneway-returns-value.thrift:3:10",
    detail: "oneway method oneway-returns-value.Events.publish must return void",
    apacheRejects: false,
  },
  "oneway-throws.thrift": {
    code: "GEN_INVALID",
    where: "oneway-throws.thrift:7:48",
    detail: "oneway method oneway-throws.Events.publish cannot throw exceptions",
    apacheRejects: true,
  },
  "throws-struct.thrift": {
    code: "GEN_INVALID",
    where: "throws-struct.thrift:7:26",
    detail:
      'throws clause of throws-struct.Api.call may only list exceptions, but "problem" is struct throws-struct.Problem',
    apacheRejects: true,
  },
  "union-required.thrift": {
    code: "GEN_INVALID",
    where: "union-required.thrift:3:6",
    detail: 'field "text" of union union-required.Value cannot be required (union fields are always optional)',
    apacheRejects: false,
  },
};

function hasApacheThrift(): boolean {
  try {
    execFileSync("thrift", ["-version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe("bad fixtures", () => {
  it("has an expectation for every file in the folder", () => {
    const files = readdirSync(DIR).filter((name) => name.endsWith(".thrift"));
    expect(files.sort()).toEqual(Object.keys(CASES).sort());
  });

  for (const [file, bad] of Object.entries(CASES)) {
    it(`${file}: ${bad.code} at ${bad.where}`, async () => {
      await expectGeneratorError(loadSchema([`${DIR}/${file}`]), bad.code, `${DIR}/${bad.where}`, bad.detail);
    });
  }

  it.skipIf(!hasApacheThrift())("matches what Apache Thrift rejects (where it rejects)", () => {
    const out = mkdtempSync(join(tmpdir(), "bad-idl-"));
    const rejected = Object.keys(CASES).filter((file) => {
      try {
        execFileSync("thrift", ["--gen", "py", "-out", out, `${DIR}/${file}`], { stdio: "ignore", timeout: 20_000 });
        return false;
      } catch {
        return true;
      }
    });
    rmSync(out, { recursive: true, force: true });
    expect(rejected.sort()).toEqual(
      Object.entries(CASES)
        .filter(([, bad]) => bad.apacheRejects)
        .map(([file]) => file)
        .sort(),
    );
  });
});
