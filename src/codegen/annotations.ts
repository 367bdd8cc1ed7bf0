import type { Annotations as AstAnnotations } from "@creditkarma/thrift-parser";
import type { Annotations } from "../model/schema.ts";

/** IDL annotations as a record; a bare key gets the value `"1"`, as Apache Thrift does; the last duplicate wins. */
export function annotationsOf(annotations: AstAnnotations | undefined): Annotations {
  if (annotations === undefined) return {};
  return Object.fromEntries(annotations.annotations.map((a) => [a.name.value, a.value?.value ?? "1"]));
}
