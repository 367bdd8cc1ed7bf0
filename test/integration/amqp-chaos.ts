/**
 * Dropping AMQP connections under a running transport: from the server side with `rabbitmqctl close_connection`
 * when the broker is local, else by destroying the client's socket underneath amqplib; and a connect function
 * that lets a test reach the channels behind a transport.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import amqplib, { type Channel, type ChannelModel } from "amqplib";
import type { AmqpTransportOptions } from "thrift-queue";

const run = promisify(execFile);

/** Connections of the local broker whose `connection_name` is one of `names`, as rabbitmqctl pids. */
async function brokerConnections(names: readonly string[]): Promise<string[]> {
  const { stdout } = await run("rabbitmqctl", [
    "list_connections",
    "-q",
    "--no-table-headers",
    "pid",
    "client_properties",
  ]);
  return stdout
    .split("\n")
    .filter((line) => names.some((name) => line.includes(`{"connection_name","${name}"}`)))
    .map((line) => line.split("\t")[0] ?? "");
}

/**
 * Closes every connection named in `names` from the server side (CONNECTION_FORCED), or — without rabbitmqctl
 * (a remote broker) — destroys the sockets of `models`. Resolves once the close was requested.
 */
export async function closeConnections(names: readonly string[], models: readonly ChannelModel[]): Promise<void> {
  const pids = await brokerConnections(names).catch(() => []);
  if (pids.length === 0) {
    // No rabbitmqctl here, or it manages another broker than the one under test.
    if (models.length === 0) throw new Error(`no connection named ${names.join(", ")} to close`);
    for (const model of models) (model.connection as unknown as { stream: { destroy(): void } }).stream.destroy();
    return;
  }
  await Promise.all(pids.map((pid) => run("rabbitmqctl", ["close_connection", pid, "thrift-queue resilience test"])));
}

/** A connect function for the transport that remembers the connections it opened and the channels consumed on. */
export function recordingConnect(
  consumerChannels: Channel[],
  models: ChannelModel[] = [],
): NonNullable<AmqpTransportOptions["connect"]> {
  return async (url, socketOptions) => {
    const model = await amqplib.connect(url, socketOptions);
    models.push(model);
    const createChannel = model.createChannel.bind(model);
    model.createChannel = async (options) => {
      const channel = await createChannel(options);
      const consume = channel.consume.bind(channel);
      channel.consume = (queue, onMessage, consumeOptions) => {
        consumerChannels.push(channel);
        return consume(queue, onMessage, consumeOptions);
      };
      return channel;
    };
    return model;
  };
}
