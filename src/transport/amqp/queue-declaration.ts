/**
 * Declaring one queue of the topology. Classic queues are declared as version 2 (`x-queue-version: 2`, RabbitMQ
 * 3.10+), whose message store costs the broker less CPU per persistent message. A queue that already exists
 * under another version (declared by an older thrift-queue, or by an operator) makes the broker refuse the
 * declaration with 406 PRECONDITION_FAILED: it is then declared again without the version (which still checks
 * every other argument), and when its version was set explicitly to something else, only checked to exist — the
 * queue keeps the version it has and works as before.
 */
import type { AdminChannel } from "./admin-channel.ts";
import type { QueueDeclaration } from "./amqp-topology.ts";

/** The queue argument naming a classic queue's storage version. */
export const QUEUE_VERSION_ARGUMENT = "x-queue-version";

/** Declares `declaration` durable on `admin`, keeping an existing queue whose version differs as it is. */
export async function declareQueue(admin: AdminChannel, declaration: QueueDeclaration): Promise<void> {
  const { name, arguments: queueArguments } = declaration;
  try {
    await admin.run((channel) => channel.assertQueue(name, { durable: true, arguments: queueArguments }));
    return;
  } catch (error) {
    if (!(QUEUE_VERSION_ARGUMENT in queueArguments) || !isOtherQueueVersion(error)) throw error;
  }
  // The refusal closed the channel; the admin channel opens a new one for the next operation.
  const { [QUEUE_VERSION_ARGUMENT]: _version, ...unversioned } = queueArguments;
  try {
    await admin.run((channel) => channel.assertQueue(name, { durable: true, arguments: unversioned }));
  } catch (error) {
    if (!isOtherQueueVersion(error)) throw error;
    await admin.run((channel) => channel.checkQueue(name));
  }
}

/** Whether the broker refused a declaration because the queue exists with another `x-queue-version`. */
export function isOtherQueueVersion(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === 406 && typeof message === "string" && message.includes(`'${QUEUE_VERSION_ARGUMENT}'`);
}
