/** Accumulates generated source lines with indentation; `block` indents what its callback writes. */
export class CodeBuilder {
  private readonly lines: string[] = [];
  private depth = 0;
  private counter = 0;

  /** Appends one line (or a blank line when called with no text) at the current indentation. */
  line(text = ""): this {
    this.lines.push(text === "" ? "" : "  ".repeat(this.depth) + text);
    return this;
  }

  /** Writes `open`, the callback's lines one level deeper, then `close`. */
  block(open: string, body: () => void, close = "}"): this {
    this.line(open);
    this.depth++;
    body();
    this.depth--;
    return this.line(close);
  }

  /** Writes `try { body } catch (error) { handler }`; the handler sees the caught value as `error`. */
  tryCatch(body: () => void, handler: () => void): this {
    this.line("try {");
    this.indented(body);
    this.line("} catch (error) {");
    this.indented(handler);
    return this.line("}");
  }

  /** Runs the callback one indentation level deeper without opening a block. */
  indented(body: () => void): this {
    this.depth++;
    body();
    this.depth--;
    return this;
  }

  /** A fresh local variable name with the given prefix, unique within this builder. */
  fresh(prefix: string): string {
    this.counter++;
    return `${prefix}${this.counter}`;
  }

  /** The source written so far, ending in a newline. */
  toString(): string {
    return this.lines.join("\n") + "\n";
  }
}
