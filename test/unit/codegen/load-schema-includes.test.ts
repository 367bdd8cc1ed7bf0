import { describe, expect, it } from "vitest";
import { loadSchema } from "../../../src/codegen/load-schema.ts";
import { expectGeneratorError, memoryFiles } from "./idl-test-helpers.ts";

describe("loadSchema includes", () => {
  it("looks next to the including file first, then in each include dir in order", async () => {
    const schema = await loadSchema(["src/main.thrift"], {
      includeDirs: ["inc1", "inc2", "inc3"],
      readFile: memoryFiles({
        "src/main.thrift": 'include "types.thrift"\ninclude "lib.thrift"\nstruct S { 1: types.T t, 2: lib.L l }',
        "src/types.thrift": "struct T {}",
        "inc1/types.thrift": "syntax error, never read",
        "inc2/lib.thrift": 'include "deep/util.thrift"\nstruct L { 1: util.U u }',
        "inc3/lib.thrift": "syntax error, never read",
        "inc3/deep/util.thrift": "struct U {}",
      }),
    });
    expect([...schema.documents.values()].map((d) => [d.module, d.path, d.includes])).toEqual([
      ["main", "src/main.thrift", ["types", "lib"]],
      ["types", "src/types.thrift", []],
      ["lib", "inc2/lib.thrift", ["util"]],
      ["util", "inc3/deep/util.thrift", []],
    ]);
    expect(schema.documents.get("main")?.structs[0]?.fields.map((f) => f.type)).toEqual([
      { kind: "struct", name: "types.T" },
      { kind: "struct", name: "lib.L" },
    ]);
  });

  it("resolves paths relative to the including file's own folder", async () => {
    const schema = await loadSchema(["main.thrift"], {
      readFile: memoryFiles({
        "main.thrift": 'include "a/one.thrift"',
        "a/one.thrift": 'include "b/two.thrift"\ninclude "../three.thrift"',
        "a/b/two.thrift": "",
        "three.thrift": "",
      }),
    });
    expect([...schema.documents.values()].map((d) => d.path)).toEqual([
      "main.thrift",
      "a/one.thrift",
      "a/b/two.thrift",
      "three.thrift",
    ]);
  });

  it("loads a file reached through several paths once", async () => {
    const schema = await loadSchema(["main.thrift"], {
      includeDirs: ["shared"],
      readFile: memoryFiles({
        "main.thrift": 'include "shared/common.thrift"\ninclude "units.thrift"\ninclude "./shared/common.thrift"',
        "shared/units.thrift": 'include "common.thrift"\nstruct U { 1: common.C c }',
        "shared/common.thrift": "struct C {}",
      }),
    });
    expect([...schema.documents.keys()]).toEqual(["main", "common", "units"]);
    expect(schema.documents.get("main")?.includes).toEqual(["common", "units"]);
    expect(schema.documents.get("units")?.includes).toEqual(["common"]);
  });

  it("keeps roots in order, without duplicates, including roots that others include", async () => {
    const schema = await loadSchema(["b.thrift", "a.thrift", "b.thrift"], {
      readFile: memoryFiles({ "a.thrift": 'include "b.thrift"', "b.thrift": "" }),
    });
    expect(schema.roots).toEqual(["b", "a"]);
    expect([...schema.documents.keys()]).toEqual(["b", "a"]);
  });

  it("accepts absolute include paths", async () => {
    const schema = await loadSchema(["main.thrift"], {
      readFile: memoryFiles({ "main.thrift": 'include "/abs/x.thrift"', "/abs/x.thrift": "struct X {}" }),
    });
    expect(schema.documents.get("x")?.path).toBe("/abs/x.thrift");
  });

  it("reports a missing include at the include statement", async () => {
    const files = memoryFiles({ "dir/main.thrift": 'namespace * m\n\n  include "nope.thrift"' });
    await expectGeneratorError(
      loadSchema(["dir/main.thrift"], { includeDirs: ["inc"], readFile: files }),
      "GEN_INCLUDE_NOT_FOUND",
      "dir/main.thrift:3:3",
      'cannot find included file "nope.thrift" (looked for dir/nope.thrift, inc/nope.thrift)',
    );
  });

  it("reports two files with the same module name at the second include", async () => {
    const files = memoryFiles({
      "main.thrift": 'include "one/types.thrift"\ninclude "two/types.thrift"',
      "one/types.thrift": "",
      "two/types.thrift": "",
    });
    await expectGeneratorError(
      loadSchema(["main.thrift"], { readFile: files }),
      "GEN_DUPLICATE",
      "main.thrift:2:1",
      'module name "types" of two/types.thrift is already used by one/types.thrift (module names come from file names)',
    );
    await expectGeneratorError(
      loadSchema(["one/types.thrift", "two/types.thrift"], { readFile: files }),
      "GEN_DUPLICATE",
      undefined,
      /module name "types" of two\/types.thrift is already used by one\/types.thrift/,
    );
  });

  it("rejects include cycles at the include that closes them", async () => {
    const files = memoryFiles({
      "a.thrift": 'include "b.thrift"',
      "b.thrift": '\ninclude "c.thrift"',
      "c.thrift": 'struct C {}\ninclude "a.thrift"',
      "self.thrift": 'include "self.thrift"',
    });
    await expectGeneratorError(
      loadSchema(["a.thrift"], { readFile: files }),
      "GEN_INVALID",
      "c.thrift:2:1",
      "include cycle: a.thrift -> b.thrift -> c.thrift -> a.thrift",
    );
    await expectGeneratorError(loadSchema(["self.thrift"], { readFile: files }), "GEN_INVALID", "self.thrift:1:1");
  });

  it("reports unreadable files as GEN_IO", async () => {
    await expectGeneratorError(
      loadSchema(["missing.thrift"], { readFile: memoryFiles({}) }),
      "GEN_IO",
      undefined,
      /^cannot read missing.thrift: ENOENT/,
    );
    const denied = (path: string): Promise<string> =>
      path === "main.thrift"
        ? Promise.resolve('\ninclude "secret.thrift"')
        : Promise.reject(Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" }));
    await expectGeneratorError(
      loadSchema(["main.thrift"], { readFile: denied }),
      "GEN_IO",
      "main.thrift:2:1",
      "cannot read secret.thrift: EACCES: permission denied",
    );
  });

  it("locates errors inside included files in those files", async () => {
    const files = memoryFiles({
      "main.thrift": 'include "lib/inc.thrift"',
      "lib/inc.thrift": "struct S {\n  1: Nope n\n}",
    });
    await expectGeneratorError(
      loadSchema(["main.thrift"], { readFile: files }),
      "GEN_UNRESOLVED",
      "lib/inc.thrift:2:6",
    );
    const broken = memoryFiles({ "main.thrift": 'include "inc.thrift"', "inc.thrift": "struct {" });
    await expectGeneratorError(loadSchema(["main.thrift"], { readFile: broken }), "GEN_SYNTAX", "inc.thrift:1:8");
  });

  it("keeps namespaces (including *) and ignores cpp_include", async () => {
    const schema = await loadSchema(["main.thrift"], {
      readFile: memoryFiles({
        "main.thrift":
          'namespace * all\nnamespace py a.b.c\ncpp_include "<string>"\nnamespace java x\nnamespace py last.wins',
      }),
    });
    expect(schema.documents.get("main")?.namespaces).toEqual({ "*": "all", py: "last.wins", java: "x" });
  });
});
