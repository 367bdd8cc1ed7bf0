/** The reflection-driven ("dynamic") codec: encodes and decodes any struct or message of a schema at runtime. */
export { writeStruct, writeValue } from "./write-value.ts";
export { readStruct, readValue } from "./read-value.ts";
export { decodeStruct, encodeStruct } from "./struct-bytes.ts";
export { encodeCall } from "./encode-call.ts";
export { decodeCall } from "./decode-call.ts";
export type { CallMessageKind, DecodedCall, DynamicDecodeCallOptions, DynamicEncodeCallOptions } from "./call-types.ts";
export {
  dynamicService,
  dynamicServices,
  dynamicStructCodec,
  type DynamicMethodDescriptor,
  type DynamicResult,
  type DynamicServiceDescriptor,
  type DynamicStruct,
} from "./dynamic-services.ts";
