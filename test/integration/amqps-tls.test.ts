/**
 * The AMQP transport over TLS (`amqps://`). The broker here listens on plain AMQP only, so the test puts a TLS
 * terminating proxy in front of it (node:tls, forwarding each connection to the broker's port) with a private CA
 * and a server certificate for `localhost` made with the `openssl` binary (node:crypto cannot sign X.509). The
 * transport trusts the CA through the `ca` URL parameter (a PEM file), as docs/transports-amqp.md documents.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect as connectTcp, type AddressInfo, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { createServer as createTlsServer, type Server as TlsServer } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTransport, TransportError, type Transport } from "thrift-queue";
import { message } from "../conformance/transport-conformance.ts";
import { receiveOne } from "../conformance/receive-helpers.ts";
import { deleteQueues, findAmqpBroker, withAmqpBroker } from "./amqp-broker.ts";

const lookup = await findAmqpBroker();

/** A CA, a server certificate it signed for localhost, and a second CA that signed nothing here. */
interface Certificates {
  readonly folder: string;
  readonly caFile: string;
  readonly otherCaFile: string;
  readonly key: Buffer;
  readonly cert: Buffer;
}

function openssl(folder: string, ...args: string[]): void {
  execFileSync("openssl", args, { cwd: folder, stdio: "pipe" });
}

function makeCertificates(): Certificates {
  const folder = mkdtempSync(join(tmpdir(), "tq-amqps-"));
  const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  for (const name of ["ca", "other-ca"]) {
    const subject = `/CN=thrift-queue test ${name}`;
    openssl(folder, "req", "-x509", ...ecKey, "-keyout", `${name}.key`, "-out", `${name}.pem`, "-subj", subject);
  }
  writeFileSync(join(folder, "server.ext"), "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n");
  openssl(folder, "req", ...ecKey, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
  openssl(
    folder,
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "server.pem",
    "-days",
    "1",
    "-extfile",
    "server.ext",
  );
  return {
    folder,
    caFile: join(folder, "ca.pem"),
    otherCaFile: join(folder, "other-ca.pem"),
    key: readFileSync(join(folder, "server.key")),
    cert: readFileSync(join(folder, "server.pem")),
  };
}

/** Terminates TLS and forwards the bytes to the plain AMQP port; resolves with the port it listens on. */
async function startTlsProxy(certificates: Certificates, target: URL): Promise<{ port: number; server: TlsServer }> {
  const sockets = new Set<Socket>();
  const server = createTlsServer({ key: certificates.key, cert: certificates.cert }, (client) => {
    const upstream = connectTcp(Number(target.port || 5672), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  // A client that refuses the certificate ends the handshake: nothing to forward.
  server.on("tlsClientError", () => undefined);
  server.on("close", () => sockets.forEach((socket) => socket.destroy()));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as AddressInfo).port, server };
}

withAmqpBroker("AMQP transport over TLS (amqps://)", lookup, (broker) => {
  let certificates: Certificates;
  let proxy: { port: number; server: TlsServer };
  const queues: string[] = [];
  const transports: Transport[] = [];

  beforeAll(async () => {
    certificates = makeCertificates();
    proxy = await startTlsProxy(certificates, new URL(broker.url));
  });

  afterAll(async () => {
    await Promise.allSettled(transports.map((transport) => transport.close({ drainTimeoutMs: 0 })));
    await deleteQueues(
      broker.url,
      queues.flatMap((queue) => [queue, `${queue}.dead`]),
    );
    await new Promise((resolve) => proxy.server.close(resolve));
    rmSync(certificates.folder, { recursive: true, force: true });
  });

  function amqpsUrl(params: Record<string, string>): string {
    const queue = `tq-amqps-${randomUUID()}`;
    queues.push(queue);
    const url = new URL(`amqps://guest:guest@localhost:${proxy.port}/`);
    url.searchParams.set("queue", queue);
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    return url.toString();
  }

  describe("with the CA given as the ca URL parameter", () => {
    it("sends and receives through the TLS connection", async () => {
      const transport = await openTransport(amqpsUrl({ ca: certificates.caFile }), { useEnvironment: false });
      transports.push(transport);
      const sent = message("over tls");
      await transport.send([sent]);
      const delivery = await receiveOne(transport, { timeoutMs: 10_000 });
      expect(delivery.id).toBe(sent.id);
      expect(new TextDecoder().decode(delivery.payload)).toBe("over tls");
      await delivery.ack();
      expect(await transport.stats()).toMatchObject({ visible: 0, inFlight: 0 });
    });
  });

  describe("with a CA that did not sign the broker's certificate", () => {
    it("fails the send with a typed TransportError naming the certificate problem", async () => {
      const url = amqpsUrl({ ca: certificates.otherCaFile, unavailableTimeoutMs: "1500" });
      const transport = await openTransport(url, { useEnvironment: false });
      transports.push(transport);
      const error = await transport.send([message("refused")]).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TransportError);
      expect(error).toMatchObject({ code: "TRANSPORT_UNAVAILABLE", retryable: true });
      expect(String((error as TransportError).message)).toMatch(/certificate/i);
    });

    it("refuses a CA file that cannot be read when the transport is opened", async () => {
      const missing = join(certificates.folder, "missing.pem");
      await expect(openTransport(amqpsUrl({ ca: missing }), { useEnvironment: false })).rejects.toThrow(
        /cannot read the CA file .*missing\.pem \(ENOENT\)/,
      );
    });
  });
});
