/**
 * The message format of the AWS SQS Extended Client Library (Java, and its Python and .NET ports) for bodies
 * offloaded to S3: the SQS body is a JSON pointer `["software.amazon.payloadoffloading.PayloadS3Pointer",
 * {"s3BucketName": …, "s3Key": …}]` and the Number attribute `ExtendedPayloadSize` holds the size in bytes of the
 * original body, which is the S3 object's content. Writing the same format lets those clients read our large
 * messages and us read theirs. Pure: no I/O here.
 */

/** The attribute that marks an offloaded message; its value is the original body's size in bytes. */
export const EXTENDED_PAYLOAD_SIZE_ATTRIBUTE = "ExtendedPayloadSize";

/** The attribute older versions of the Java library wrote instead; still recognised on receipt. */
export const LEGACY_PAYLOAD_SIZE_ATTRIBUTE = "SQSLargePayloadSize";

/** The class name the pointer JSON starts with. */
export const POINTER_CLASS = "software.amazon.payloadoffloading.PayloadS3Pointer";

/** The class name of version 1 of the Java library; still recognised on receipt. */
const LEGACY_POINTER_CLASS = "com.amazon.sqs.javamessaging.MessageS3Pointer";

/** Where an offloaded body lives. */
export interface PayloadPointer {
  readonly bucket: string;
  readonly key: string;
}

/** The SQS body that points at an offloaded body, byte for byte as the Java library writes it. */
export function formatPointer(pointer: PayloadPointer): string {
  return JSON.stringify([POINTER_CLASS, { s3BucketName: pointer.bucket, s3Key: pointer.key }]);
}

/** Reads a pointer body; undefined when the text is not one. */
export function parsePointer(body: string): PayloadPointer | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
  const [className, fields] = parsed as [unknown, unknown];
  if (className !== POINTER_CLASS && className !== LEGACY_POINTER_CLASS) return undefined;
  if (typeof fields !== "object" || fields === null) return undefined;
  const { s3BucketName, s3Key } = fields as { s3BucketName?: unknown; s3Key?: unknown };
  if (typeof s3BucketName !== "string" || s3BucketName === "") return undefined;
  if (typeof s3Key !== "string" || s3Key === "") return undefined;
  return { bucket: s3BucketName, key: s3Key };
}

/** Whether `name` is the attribute that marks a message as offloaded (the current or the legacy one). */
export function isPayloadSizeAttribute(name: string): boolean {
  return name === EXTENDED_PAYLOAD_SIZE_ATTRIBUTE || name === LEGACY_PAYLOAD_SIZE_ATTRIBUTE;
}

/** Whether a message's attributes mark it as offloaded. */
export function isOffloaded(attributes: Readonly<Record<string, unknown>>): boolean {
  return (
    Object.hasOwn(attributes, EXTENDED_PAYLOAD_SIZE_ATTRIBUTE) ||
    Object.hasOwn(attributes, LEGACY_PAYLOAD_SIZE_ATTRIBUTE)
  );
}

/** `s3://bucket/key`, for messages and logs. */
export function describePointer(pointer: PayloadPointer): string {
  return `s3://${pointer.bucket}/${pointer.key}`;
}
