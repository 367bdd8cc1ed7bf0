/** Words that cannot name a type, value or import binding in generated TypeScript, and globals it relies on. */
const UNUSABLE_TYPE_NAMES = new Set([
  // ECMAScript and TypeScript reserved or contextual words.
  "any",
  "arguments",
  "as",
  "async",
  "await",
  "bigint",
  "boolean",
  "break",
  "case",
  "catch",
  "class",
  "const",
  "constructor",
  "continue",
  "debugger",
  "declare",
  "default",
  "delete",
  "do",
  "else",
  "enum",
  "eval",
  "export",
  "extends",
  "false",
  "finally",
  "for",
  "from",
  "function",
  "get",
  "if",
  "implements",
  "import",
  "in",
  "infer",
  "instanceof",
  "interface",
  "is",
  "keyof",
  "let",
  "module",
  "namespace",
  "never",
  "new",
  "null",
  "number",
  "object",
  "of",
  "package",
  "private",
  "protected",
  "public",
  "readonly",
  "require",
  "return",
  "set",
  "static",
  "string",
  "super",
  "switch",
  "symbol",
  "this",
  "throw",
  "true",
  "try",
  "type",
  "typeof",
  "undefined",
  "unique",
  "unknown",
  "var",
  "void",
  "while",
  "with",
  "yield",
  // Globals that generated code refers to by name.
  "Array",
  "BigInt",
  "Error",
  "JSON",
  "Map",
  "Number",
  "Object",
  "Promise",
  "Set",
  "String",
  "Symbol",
  "Uint8Array",
  "globalThis",
  "Infinity",
  "NaN",
]);

/** The identifier generated code uses for an IDL type or service name: unusable names get a `_` suffix. */
export function typeIdentifier(name: string): string {
  return UNUSABLE_TYPE_NAMES.has(name) ? `${name}_` : name;
}

/** An import binding for an included module: its name made an identifier, never clashing with IDL names. */
export function moduleIdentifier(module: string): string {
  return `$${module.replace(/[^A-Za-z0-9_$]/g, "_")}`;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A property name in an interface or type literal. */
export function interfaceKey(name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

/** A property name in an object literal; `__proto__` is computed so it defines a field, not the prototype. */
export function literalKey(name: string): string {
  if (name === "__proto__") return `["__proto__"]`;
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

/**
 * An expression reading field `name` of `object`. Names that exist on Object.prototype (`constructor`,
 * `toString`, `__proto__` …) go through `$tq.ownField` so an absent field reads as undefined.
 */
export function fieldRead(object: string, name: string): string {
  if (name in Object.prototype) return `$tq.ownField(${object}, ${JSON.stringify(name)})`;
  return IDENTIFIER.test(name) ? `${object}.${name}` : `${object}[${JSON.stringify(name)}]`;
}

/** A JavaScript string literal. */
export function stringLiteral(text: string): string {
  return JSON.stringify(text);
}
