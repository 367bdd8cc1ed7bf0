/**
 * The user data of the instances the ec2 fleet launches: a cloud-init shell script that reads the instance's id
 * from the instance metadata service (IMDSv2: a session token first, so it also works where IMDSv1 is off) and
 * installs a systemd unit running `<workerCommand> --instance-id <id>`. A unit rather than a background process:
 * systemd restarts a crashed worker, sends it SIGTERM at shutdown (the worker drains) and logs to the journal.
 * `Restart=on-failure` because a worker that drained on request exits 0 and must stay stopped.
 *
 * The command is written into the unit as an argument vector, each argument quoted for systemd (no shell runs it),
 * so spaces, quotes, `$` and `%` in arguments arrive unchanged. User data is readable by anyone allowed
 * `ec2:DescribeInstanceAttribute`: it must carry no secrets (give the instance role the permissions instead).
 */

/** EC2's limit on user data, before base64. */
export const MAX_USER_DATA_BYTES = 16_384;

/** The systemd unit the script installs. */
export const WORKER_UNIT_NAME = "thrift-queue-worker.service";

/** Every problem with a worker command, as sentences (empty when it is usable). */
export function workerCommandProblems(command: readonly string[]): string[] {
  const problems: string[] = [];
  const [program] = command;
  if (program === undefined) return ["workerCommand must name at least the program to run"];
  if (!program.startsWith("/")) {
    problems.push(`workerCommand[0] ${JSON.stringify(program)} must be an absolute path (systemd runs it, no shell)`);
  }
  command.forEach((argument, index) => {
    // A line break would end the unit file's heredoc early; NUL cannot be passed at all.
    if (/[\n\r\0]/.test(argument)) problems.push(`workerCommand[${index}] must not contain line breaks or NUL`);
  });
  if (command.includes("--instance-id")) {
    problems.push("workerCommand must not set --instance-id: the script adds it from the instance metadata");
  }
  return problems;
}

/** One argument quoted for a systemd `ExecStart=` line: double quotes, `\` and `"` escaped, `%` and `$` doubled. */
export function quoteForSystemd(argument: string): string {
  const escaped = argument.replace(/[\\"%$]/g, (character) => {
    if (character === "%") return "%%";
    if (character === "$") return "$$";
    return `\\${character}`;
  });
  return `"${escaped}"`;
}

/** The cloud-init script that starts `command --instance-id <this instance's id>` as a systemd service. */
export function renderWorkerUserData(fleetName: string, command: readonly string[]): string {
  const execStart = [...command.map(quoteForSystemd), '"--instance-id"', "${INSTANCE_ID}"].join(" ");
  return [
    "#!/bin/bash",
    `# thrift-queue ec2 fleet ${JSON.stringify(fleetName)}: start the worker with this instance's id.`,
    "set -euo pipefail",
    "imds=http://169.254.169.254/latest",
    'token=$(curl -fsS --retry 10 --retry-connrefused -X PUT "$imds/api/token" \\',
    '  -H "X-aws-ec2-metadata-token-ttl-seconds: 300")',
    'instance_id=$(curl -fsS --retry 10 -H "X-aws-ec2-metadata-token: $token" "$imds/meta-data/instance-id")',
    "mkdir -p /etc/thrift-queue",
    "printf 'INSTANCE_ID=%s\\n' \"$instance_id\" > /etc/thrift-queue/worker.env",
    `cat > /etc/systemd/system/${WORKER_UNIT_NAME} <<'THRIFT_QUEUE_UNIT'`,
    "[Unit]",
    "Description=thrift-queue worker",
    "Wants=network-online.target",
    "After=network-online.target",
    "",
    "[Service]",
    "EnvironmentFile=/etc/thrift-queue/worker.env",
    `ExecStart=${execStart}`,
    "Restart=on-failure",
    "RestartSec=5",
    "KillSignal=SIGTERM",
    "TimeoutStopSec=90",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "THRIFT_QUEUE_UNIT",
    "systemctl daemon-reload",
    `systemctl enable --now ${WORKER_UNIT_NAME}`,
    "",
  ].join("\n");
}

/** User data as RunInstances takes it: base64 of the UTF-8 script. */
export function encodeUserData(script: string): string {
  return Buffer.from(script, "utf8").toString("base64");
}

/** The size EC2 counts against {@link MAX_USER_DATA_BYTES}. */
export function userDataBytes(script: string): number {
  return Buffer.byteLength(script, "utf8");
}
