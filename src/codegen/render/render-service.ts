import { methodArgsStruct, methodResultStruct } from "../../model/method-structs.ts";
import type { MethodDef, ServiceDef } from "../../model/schema.ts";
import type { CodeBuilder } from "./code-builder.ts";
import type { RenderContext } from "./render-context.ts";
import { emitDocComment } from "./render-doc.ts";
import { emitStruct } from "./render-struct.ts";
import { interfaceKey, literalKey, stringLiteral, typeIdentifier } from "./typescript-names.ts";

/** A method with the service that declares it (inherited methods keep their declaring service). */
interface OwnedMethod {
  readonly declaredBy: ServiceDef;
  readonly method: MethodDef;
}

/** Names generated for one service. */
export function serviceNames(service: ServiceDef): { value: string; handler: string; client: string; factory: string } {
  // Only the descriptor takes the bare service name; the derived names are identifiers whatever the IDL says.
  const name = service.name;
  return {
    value: typeIdentifier(name),
    handler: `I${name}Handler`,
    client: `${name}Client`,
    factory: `create${name}Client`,
  };
}

/** The `_args` / `_result` struct type names of a method, as Apache Thrift's compiler names them. */
export function methodStructNames(service: ServiceDef, method: MethodDef): { args: string; result: string } {
  return { args: `${service.name}_${method.name}_args`, result: `${service.name}_${method.name}_result` };
}

/** Emits the argument and result codecs of a service's own methods (before any descriptor uses them). */
export function emitServiceStructs(out: CodeBuilder, context: RenderContext, service: ServiceDef): void {
  for (const method of service.methods) emitMethodStructs(out, context, service, method);
}

/**
 * Emits the service descriptor (reflection used for dispatch), the handler interface for consumers and the
 * typed client factory for producers.
 */
export function emitService(out: CodeBuilder, context: RenderContext, service: ServiceDef): void {
  const methods = allMethods(context, service);
  emitDescriptor(out, context, service, methods);
  out.line();
  emitHandlerInterface(out, context, service);
  out.line();
  emitClient(out, context, service, methods);
}

function emitMethodStructs(out: CodeBuilder, context: RenderContext, service: ServiceDef, method: MethodDef): void {
  const names = methodStructNames(service, method);
  const qualified = stringLiteral(service.qualifiedName);
  const methodName = stringLiteral(method.name);
  emitStruct(out, context, {
    typeName: names.args,
    def: methodArgsStruct(service.qualifiedName, method),
    defExpression: `$tq.methodStructDef(schema(), ${qualified}, ${methodName}, "args")`,
  });
  out.line();
  if (method.oneway) return;
  emitStruct(out, context, {
    typeName: names.result,
    def: methodResultStruct(service.qualifiedName, method),
    defExpression: `$tq.methodStructDef(schema(), ${qualified}, ${methodName}, "result")`,
  });
  out.line();
}

function allMethods(context: RenderContext, service: ServiceDef): OwnedMethod[] {
  const owned: OwnedMethod[] = [];
  const seen = new Set<string>();
  let current: ServiceDef | undefined = service;
  while (current) {
    for (const method of current.methods) {
      if (seen.has(method.name)) continue;
      seen.add(method.name);
      owned.push({ declaredBy: current, method });
    }
    current = current.extends === undefined ? undefined : context.index.findService(current.extends);
  }
  return owned;
}

function structReference(context: RenderContext, declaredBy: ServiceDef, typeName: string): string {
  return context.reference(
    `${declaredBy.qualifiedName.slice(0, declaredBy.qualifiedName.lastIndexOf("."))}.${typeName}`,
  );
}

function emitDescriptor(out: CodeBuilder, context: RenderContext, service: ServiceDef, methods: OwnedMethod[]): void {
  const names = serviceNames(service);
  emitDocComment(out, service.doc);
  out.block(
    `export const ${names.value} = $tq.defineService({`,
    () => {
      out.line(`qualifiedName: ${stringLiteral(service.qualifiedName)},`);
      out.line("schema,");
      out.block(
        "methods: {",
        () => {
          for (const { declaredBy, method } of methods) {
            const structs = methodStructNames(declaredBy, method);
            const args = structReference(context, declaredBy, structs.args);
            const result = method.oneway ? undefined : structReference(context, declaredBy, structs.result);
            const generics = result === undefined ? args : `${args}, ${result}`;
            out.block(
              `${literalKey(method.name)}: $tq.defineMethod<${generics}>({`,
              () => {
                out.line(`service: ${stringLiteral(declaredBy.qualifiedName)},`);
                out.line(`name: ${stringLiteral(method.name)},`);
                out.line(`oneway: ${String(method.oneway)},`);
                out.line("schema,");
                out.line(`args: ${args},`);
                if (result !== undefined) out.line(`result: ${result},`);
                const exceptions = exceptionCodecs(context, declaredBy, method);
                if (exceptions !== undefined) out.line(`exceptions: ${exceptions},`);
              },
              "}),",
            );
          }
        },
        "},",
      );
    },
    "});",
  );
}

/**
 * The `exceptions` map of a method's descriptor (result field name → exception codec), or undefined when it
 * declares none. An inherited method whose exceptions live in a module this file does not import takes the map
 * of the declaring service's descriptor instead.
 */
function exceptionCodecs(context: RenderContext, declaredBy: ServiceDef, method: MethodDef): string | undefined {
  if (method.throws.length === 0) return undefined;
  const reachable = new Set([context.document.module, ...context.document.includes]);
  const codecs: string[] = [];
  for (const field of method.throws) {
    if (field.type.kind !== "struct" || !reachable.has(moduleOf(field.type.name))) {
      const descriptor = context.reference(declaredBy.qualifiedName.replace(/[^.]+$/, serviceNames(declaredBy).value));
      return `${descriptor}.methods[${stringLiteral(method.name)}].exceptions`;
    }
    codecs.push(`${literalKey(field.name)}: ${context.reference(field.type.name)}`);
  }
  return `{ ${codecs.join(", ")} }`;
}

function moduleOf(qualifiedName: string): string {
  return qualifiedName.slice(0, qualifiedName.lastIndexOf("."));
}

function emitHandlerInterface(out: CodeBuilder, context: RenderContext, service: ServiceDef): void {
  const names = serviceNames(service);
  const parent = service.extends === undefined ? undefined : context.index.findService(service.extends);
  const parentHandler = parent
    ? ` extends ${context.reference(parent.qualifiedName.replace(/[^.]+$/, serviceNames(parent).handler))}<Context>`
    : "";
  out.line(`/** Implement this to handle {@link ${names.value}} calls; resolve to ack, throw to retry or fail. */`);
  out.block(`export interface ${names.handler}<Context = void>${parentHandler} {`, () => {
    for (const method of service.methods) {
      const structs = methodStructNames(service, method);
      const returns = returnType(context, method);
      emitDocComment(out, method.doc);
      out.line(
        `${interfaceKey(method.name)}(args: ${structs.args}, context: Context): ${returns} | Promise<${returns}>;`,
      );
    }
  });
}

function emitClient(out: CodeBuilder, context: RenderContext, service: ServiceDef, methods: OwnedMethod[]): void {
  const names = serviceNames(service);
  const parent = service.extends === undefined ? undefined : context.index.findService(service.extends);
  const parentClient = parent
    ? ` extends ${context.reference(parent.qualifiedName.replace(/[^.]+$/, serviceNames(parent).client))}<Receipt>`
    : "";
  out.line(`/** Typed producer stub of {@link ${names.value}}: each call is encoded and handed to the channel. */`);
  out.block(`export interface ${names.client}<Receipt>${parentClient} {`, () => {
    for (const method of service.methods) {
      const structs = methodStructNames(service, method);
      const returns = method.oneway ? "Receipt" : `$tq.PendingResult<Receipt, ${returnType(context, method)}>`;
      emitDocComment(out, method.doc);
      out.line(`${interfaceKey(method.name)}(args: ${structs.args}, options?: $tq.CallOptions): Promise<${returns}>;`);
    }
  });
  out.line();
  out.line(`/** Creates a {@link ${names.client}} that sends every call through \`channel\`. */`);
  out.block(
    `export function ${names.factory}<Receipt>(channel: $tq.CallChannel<Receipt>): ${names.client}<Receipt> {`,
    () => {
      out.block(
        "return {",
        () => {
          for (const { method } of methods) {
            const descriptor = `${names.value}.methods[${stringLiteral(method.name)}]`;
            const call = `{ service: ${names.value}, method: ${descriptor}, args }`;
            const send = method.oneway ? `channel.send(${call}, options)` : `$tq.sendTwoWay(channel, ${call}, options)`;
            out.line(`${literalKey(method.name)}: (args, options) => ${send},`);
          }
        },
        "};",
      );
    },
  );
}

/** The TypeScript type a method returns (`void` for `void` methods). */
function returnType(context: RenderContext, method: MethodDef): string {
  return method.returnType === null ? "void" : context.tsType(method.returnType);
}
