/**
 * Options of the ec2 fleet: the documented interface, its defaults (applied here and nowhere else) and one
 * validation that reports every bad field at once (`ScalerError` `SCALER_CONFIG`).
 */
import type { EC2Client, EC2ClientConfig } from "@aws-sdk/client-ec2";
import { silentLogger, type Logger } from "../../../logger.ts";
import { connectionProblems, effectiveRegion, throwIfProblems } from "../aws-fleet-support.ts";
import { RESERVED_TAG_PREFIX } from "./ec2-instances.ts";
import { MAX_USER_DATA_BYTES, renderWorkerUserData, userDataBytes, workerCommandProblems } from "./ec2-user-data.ts";

/** The launch template instances start from: by id or by name (exactly one), and a version. */
export interface Ec2LaunchTemplate {
  /** `lt-0123456789abcdef0`. */
  readonly id?: string;
  /** The template's name. */
  readonly name?: string;
  /** A version number, `$Latest` or `$Default`. @defaultValue "$Default" */
  readonly version?: string;
}

/** Options of {@link createEc2Fleet}. */
export interface Ec2FleetOptions {
  /** The fleet's name: the value of the `thrift-queue:fleet` tag on every instance it launches and lists. */
  readonly name: string;
  /** The launch template (AMI, instance type, security groups, instance profile …). */
  readonly launchTemplate: Ec2LaunchTemplate;
  /** AWS region. @defaultValue the SDK's chain (AWS_REGION …), else `us-east-1` with an endpoint */
  readonly region?: string;
  /** Endpoint override, for emulators (`http://127.0.0.1:4566`) or VPC endpoints. @defaultValue AWS's */
  readonly endpoint?: string;
  /** Credentials for the client the fleet makes. @defaultValue the AWS default provider chain */
  readonly credentials?: EC2ClientConfig["credentials"];
  /** The EC2 client to use (not destroyed on close). @defaultValue one made from the options above */
  readonly client?: EC2Client;
  /**
   * The worker's argument vector, absolute program path first, without `--instance-id` (the user data adds it
   * from the instance metadata), e.g. `["/usr/bin/thrift-queue", "worker", "--idl", …]`. The fleet renders user
   * data that runs it as a systemd service (ec2-user-data.ts). @defaultValue none: the template's user data
   */
  readonly workerCommand?: readonly string[];
  /** Your own user data script instead (plain text; the fleet base64-encodes it). @defaultValue none */
  readonly userData?: string;
  /** More tags for the instances and volumes (keys must not start with `thrift-queue:` or `aws:`). @defaultValue {} */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * Subnets to launch into, in order of preference: a launch that finds no capacity in one tries the next. The
   * template must then not define network interfaces. @defaultValue none: the template's subnet
   */
  readonly subnetIds?: readonly string[];
  /** Where the fleet logs launches, partial capacity and subnet fallbacks (never user data). @defaultValue silent */
  readonly logger?: Logger;
  /** The clock for how long a launched instance may stay missing from DescribeInstances. @defaultValue Date.now */
  readonly now?: () => number;
}

/** {@link Ec2FleetOptions} with every default applied. */
export interface ResolvedEc2FleetOptions {
  readonly name: string;
  readonly launchTemplateId: string | undefined;
  readonly launchTemplateName: string | undefined;
  readonly launchTemplateVersion: string;
  readonly region: string | undefined;
  readonly endpoint: string | undefined;
  readonly credentials: EC2ClientConfig["credentials"] | undefined;
  readonly client: EC2Client | undefined;
  /** The script to send as user data (rendered from `workerCommand`, or `userData`), or none. */
  readonly userDataScript: string | undefined;
  readonly tags: Readonly<Record<string, string>>;
  readonly subnetIds: readonly string[];
  readonly logger: Logger;
  readonly now: () => number;
}

/** Fleet names: also tag values and IAM condition values, so a plain character set. */
const FLEET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const TEMPLATE_ID = /^lt-[0-9a-f]{8,17}$/;
const TEMPLATE_NAME = /^[A-Za-z0-9().\-/_]{3,128}$/;
const TEMPLATE_VERSION = /^(?:\$Latest|\$Default|[1-9][0-9]{0,17})$/;
const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
/** EC2 allows 50 tags per resource; the fleet's own take 3. */
const MAX_EXTRA_TAGS = 47;

/** Applies the defaults and checks every field; throws one `SCALER_CONFIG` ScalerError naming every bad field. */
export function resolveEc2FleetOptions(options: Ec2FleetOptions): ResolvedEc2FleetOptions {
  const problems: string[] = [];
  const template = options.launchTemplate ?? {};
  const name = options.name ?? "";
  if (!FLEET_NAME.test(name)) {
    problems.push(`name ${JSON.stringify(name)} must be 1 to 128 letters, digits, ., _ or - (starting alphanumeric)`);
  }
  problems.push(...templateProblems(template));
  problems.push(...connectionProblems(options.region, options.endpoint));
  const userDataScript = resolveUserData(options, name, problems);
  problems.push(...tagProblems(options.tags ?? {}));
  for (const subnet of options.subnetIds ?? []) {
    if (!SUBNET_ID.test(subnet)) problems.push(`subnetIds: ${JSON.stringify(subnet)} is not a subnet id (subnet-…)`);
  }
  throwIfProblems("ec2 fleet", problems);
  return {
    name,
    launchTemplateId: template.id,
    launchTemplateName: template.name,
    launchTemplateVersion: template.version ?? "$Default",
    region: effectiveRegion(options.region, options.endpoint),
    endpoint: options.endpoint,
    credentials: options.credentials,
    client: options.client,
    userDataScript,
    tags: { ...options.tags },
    subnetIds: [...new Set(options.subnetIds ?? [])],
    logger: options.logger ?? silentLogger,
    now: options.now ?? Date.now,
  };
}

function templateProblems(template: Ec2LaunchTemplate): string[] {
  const problems: string[] = [];
  if ((template.id === undefined) === (template.name === undefined)) {
    problems.push("launchTemplate needs exactly one of id and name");
  }
  if (template.id !== undefined && !TEMPLATE_ID.test(template.id)) {
    problems.push(`launchTemplate.id ${JSON.stringify(template.id)} is not a launch template id (lt-…)`);
  }
  if (template.name !== undefined && !TEMPLATE_NAME.test(template.name)) {
    problems.push(`launchTemplate.name ${JSON.stringify(template.name)} must be 3 to 128 of A-Z a-z 0-9 ( ) . - / _`);
  }
  if (template.version !== undefined && !TEMPLATE_VERSION.test(template.version)) {
    problems.push(`launchTemplate.version ${JSON.stringify(template.version)} must be a number, $Latest or $Default`);
  }
  return problems;
}

function resolveUserData(options: Ec2FleetOptions, name: string, problems: string[]): string | undefined {
  if (options.workerCommand !== undefined && options.userData !== undefined) {
    problems.push("set workerCommand or userData, not both");
    return undefined;
  }
  let script = options.userData;
  if (options.workerCommand !== undefined) {
    const commandProblems = workerCommandProblems(options.workerCommand);
    problems.push(...commandProblems);
    if (commandProblems.length === 0) script = renderWorkerUserData(name, options.workerCommand);
  }
  if (script !== undefined && userDataBytes(script) > MAX_USER_DATA_BYTES) {
    problems.push(`the user data is ${userDataBytes(script)} bytes; EC2 takes at most ${MAX_USER_DATA_BYTES}`);
  }
  if (script === "") problems.push("userData must not be empty");
  return script;
}

function tagProblems(tags: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  const entries = Object.entries(tags);
  if (entries.length > MAX_EXTRA_TAGS) problems.push(`tags: at most ${MAX_EXTRA_TAGS}, not ${entries.length}`);
  for (const [key, value] of entries) {
    if (key === "" || key.length > 128) problems.push(`tags: key ${JSON.stringify(key)} must be 1 to 128 characters`);
    if (key.startsWith(RESERVED_TAG_PREFIX) || key.toLowerCase().startsWith("aws:")) {
      problems.push(`tags: key ${JSON.stringify(key)} is reserved (${RESERVED_TAG_PREFIX}… and aws:…)`);
    }
    if (typeof value !== "string" || value.length > 256) {
      problems.push(`tags: the value of ${JSON.stringify(key)} must be a string of at most 256 characters`);
    }
  }
  return problems;
}
