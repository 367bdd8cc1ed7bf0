/** The process streams a command uses; tests pass in-memory ones. */
export interface CliIo {
  readStdin(): Promise<Uint8Array>;
  writeStdout(chunk: string | Uint8Array): void;
  writeStderr(text: string): void;
}

/** The real process streams. */
export const processIo: CliIo = {
  async readStdin(): Promise<Uint8Array> {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return new Uint8Array(Buffer.concat(chunks));
  },
  writeStdout(chunk: string | Uint8Array): void {
    process.stdout.write(chunk);
  },
  writeStderr(text: string): void {
    process.stderr.write(text);
  },
};
