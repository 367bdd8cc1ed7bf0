/**
 * The SQS transport's options as URL query parameters and environment variables. Each parameter has one name in
 * URLs (`sqs://jobs?region=eu-west-1&bucket=big-payloads`) and, except `maxAttempts` and `leaseMs`, one environment
 * variable (`THRIFT_QUEUE_SQS_REGION`, `THRIFT_QUEUE_SQS_BUCKET`). `openTransport` applies the common
 * `THRIFT_QUEUE_MAX_ATTEMPTS` and `THRIFT_QUEUE_LEASE_MS` to the URL itself, so they are not read again here (a
 * command's own setting, put in the URL, must win over them). Pure: the environment is passed in.
 */
import { parseTransportUrl } from "../transport-url.ts";
import type { SqsTransportOptions } from "./sqs-options.ts";

/** How a parameter's text is read. */
type ParameterType = "string" | "integer" | "boolean";

/** One option that can be set by URL or environment. */
interface Parameter {
  /** Its name in URLs. */
  readonly name: string;
  /** The option it sets. */
  readonly option: keyof SqsTransportOptions;
  readonly type: ParameterType;
}

/** Every option settable by URL or environment. */
export const SQS_PARAMETERS: readonly Parameter[] = [
  { name: "region", option: "region", type: "string" },
  { name: "endpoint", option: "endpoint", type: "string" },
  { name: "create", option: "create", type: "boolean" },
  { name: "deadLetterQueue", option: "deadLetterQueue", type: "string" },
  { name: "maxAttempts", option: "maxAttempts", type: "integer" },
  { name: "leaseMs", option: "leaseMs", type: "integer" },
  { name: "pollers", option: "pollers", type: "integer" },
  { name: "waitTimeSeconds", option: "waitTimeSeconds", type: "integer" },
  { name: "maxMessageBytes", option: "maxMessageBytes", type: "integer" },
  { name: "bucket", option: "offloadBucket", type: "string" },
  { name: "offloadThresholdBytes", option: "offloadThresholdBytes", type: "integer" },
  { name: "offloadKeyPrefix", option: "offloadKeyPrefix", type: "string" },
  { name: "keepOffloadedPayloads", option: "keepOffloadedPayloads", type: "boolean" },
  { name: "maxPayloadBytes", option: "maxPayloadBytes", type: "integer" },
  { name: "fifoGroupId", option: "fifoGroupId", type: "string" },
  { name: "s3Endpoint", option: "s3Endpoint", type: "string" },
  { name: "s3ForcePathStyle", option: "s3ForcePathStyle", type: "boolean" },
];

/** Parameters that `openTransport` reads from the environment under the common names, not here. */
const COMMON_PARAMETERS = new Set(["maxAttempts", "leaseMs"]);

/** The environment variable of a parameter (`pollers` → `THRIFT_QUEUE_SQS_POLLERS`); undefined for common ones. */
export function environmentName(parameter: string): string | undefined {
  if (COMMON_PARAMETERS.has(parameter)) return undefined;
  return `THRIFT_QUEUE_SQS_${parameter.replace(/([A-Z])/g, "_$1").toUpperCase()}`;
}

/** Options named by an `sqs://` or queue URL, including its queue; problems are appended to `problems`. */
export function optionsFromUrl(text: string, problems: string[]): Partial<SqsTransportOptions> {
  let parsed;
  try {
    parsed = parseTransportUrl(text);
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
    return {};
  }
  if (parsed.kind !== "sqs") {
    problems.push(`url must be sqs://<queue> or an SQS queue URL, not a ${parsed.kind} URL`);
    return {};
  }
  const known = new Map(SQS_PARAMETERS.map((parameter) => [parameter.name, parameter]));
  const options: Record<string, unknown> = {};
  for (const [name, text] of parsed.params) {
    const parameter = known.get(name);
    if (!parameter) problems.push(`unknown URL parameter ${JSON.stringify(name)}`);
    else readParameter(parameter, text, `URL parameter ${name}`, options, problems);
  }
  if (parsed.url.protocol === "sqs:") options["queue"] = parsed.queue;
  else {
    const queueUrl = new URL(parsed.url.toString());
    queueUrl.search = "";
    options["queue"] = queueUrl.toString();
  }
  return options;
}

/** Options set by `THRIFT_QUEUE_*` environment variables; problems are appended to `problems`. */
export function optionsFromEnvironment(
  environment: Readonly<Record<string, string | undefined>>,
  problems: string[],
): Partial<SqsTransportOptions> {
  const options: Record<string, unknown> = {};
  for (const parameter of SQS_PARAMETERS) {
    const variable = environmentName(parameter.name);
    const text = variable === undefined ? undefined : environment[variable];
    if (variable !== undefined && text !== undefined && text !== "") {
      readParameter(parameter, text, variable, options, problems);
    }
  }
  return options;
}

function readParameter(
  parameter: Parameter,
  text: string,
  where: string,
  options: Record<string, unknown>,
  problems: string[],
): void {
  switch (parameter.type) {
    case "string":
      options[parameter.option] = text;
      return;
    case "integer": {
      const value = Number(text);
      if (text.trim() === "" || !Number.isSafeInteger(value))
        problems.push(`${where} must be an integer, got ${JSON.stringify(text)}`);
      else options[parameter.option] = value;
      return;
    }
    case "boolean":
      if (text === "true" || text === "1") options[parameter.option] = true;
      else if (text === "false" || text === "0") options[parameter.option] = false;
      else problems.push(`${where} must be true or false, got ${JSON.stringify(text)}`);
      return;
  }
}
