/** How the long-running commands (`serve`, `scaler`) learn they should stop: the first SIGINT or SIGTERM. */
import process from "node:process";

/** Resolves with the first SIGINT or SIGTERM, then stops listening. */
export function firstStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      resolve(signal);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}
