/** A promise bounded in time: the status API never waits on a hung store or broker for ever. */

/** `call`'s outcome, or a rejection with `timeoutError()` when it takes longer than `ms`. */
export function withinTime<T>(call: Promise<T>, ms: number, timeoutError: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError()), ms);
  });
  // A late rejection of `call` after the timeout won must not become an unhandled rejection.
  call.catch(() => undefined);
  return Promise.race([call, timeout]).finally(() => clearTimeout(timer));
}
