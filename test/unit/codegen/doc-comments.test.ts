import { describe, expect, it } from "vitest";
import { normalizeDocComment } from "../../../src/codegen/doc-comments.ts";

describe("normalizeDocComment", () => {
  it("strips star decoration and surrounding blank lines", () => {
    expect(normalizeDocComment("\n * First line.\n *\n * Third line.\n ")).toBe("First line.\n\nThird line.");
  });

  it("handles one-line comments", () => {
    expect(normalizeDocComment(" Just this. ")).toBe("Just this.");
  });

  it("keeps relative indentation", () => {
    expect(normalizeDocComment("\n * Example:\n *   code()\n")).toBe("Example:\n  code()");
  });

  it("removes common indentation when lines have no stars", () => {
    expect(normalizeDocComment(" Title\n    indented\n      more\n  ")).toBe("Title\nindented\n  more");
  });

  it("returns undefined for empty comments", () => {
    expect(normalizeDocComment(" \n * \n ")).toBeUndefined();
  });
});
