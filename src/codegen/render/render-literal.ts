/** Renders plain data (objects, arrays, strings, numbers, booleans, bigints) as a TypeScript literal. */
export function literal(value: unknown, indent = ""): string {
  if (value === null || value === undefined) return String(value);
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? (Object.is(value, -0) ? "-0" : String(value)) : numberSpecial(value);
    case "boolean":
      return String(value);
    case "bigint":
      return `${String(value)}n`;
    case "object":
      return Array.isArray(value)
        ? arrayLiteral(value, indent)
        : objectLiteral(value as Record<string, unknown>, indent);
    case "function":
    case "symbol":
    case "undefined":
      break;
  }
  throw new Error(`cannot render a ${typeof value} as a literal`);
}

function numberSpecial(value: number): string {
  if (Number.isNaN(value)) return "Number.NaN";
  return value > 0 ? "Number.POSITIVE_INFINITY" : "Number.NEGATIVE_INFINITY";
}

function arrayLiteral(items: readonly unknown[], indent: string): string {
  if (items.length === 0) return "[]";
  const inner = indent + "  ";
  return `[\n${items.map((item) => `${inner}${literal(item, inner)},`).join("\n")}\n${indent}]`;
}

function objectLiteral(object: Record<string, unknown>, indent: string): string {
  const entries = Object.entries(object).filter(([, item]) => item !== undefined);
  if (entries.length === 0) return "{}";
  const inner = indent + "  ";
  const lines = entries.map(([key, item]) => {
    const name = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) && key !== "__proto__" ? key : `[${JSON.stringify(key)}]`;
    return `${inner}${name}: ${literal(item, inner)},`;
  });
  return `{\n${lines.join("\n")}\n${indent}}`;
}
