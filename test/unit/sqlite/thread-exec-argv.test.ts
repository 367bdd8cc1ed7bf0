import { describe, expect, it } from "vitest";
import { threadExecArgv } from "../../../src/sqlite/thread-exec-argv.ts";

describe("threadExecArgv", () => {
  it("keeps the process's options but those of string input and their values", () => {
    const argv = [
      "--enable-source-maps",
      "--input-type=module",
      "-e",
      "code()",
      "--eval",
      "more()",
      "--max-old-space-size=512",
    ];
    expect(threadExecArgv(argv)).toEqual(["--enable-source-maps", "--max-old-space-size=512"]);
  });

  it("drops --print and -p with their values, and --input-type given apart from its value", () => {
    expect(threadExecArgv(["-p", "1 + 1", "--input-type", "module", "--conditions=dev"])).toEqual(["--conditions=dev"]);
  });
});
