/**
 * A mutex for async work in one JavaScript realm: each call runs after every earlier call has
 * settled (fulfilled or rejected), so two steps never interleave their reads and writes of shared
 * state. Browser-safe. Across browser tabs the app uses a Web Lock instead (useHouseholdHub's
 * `webLock`), which falls back to this when the Web Locks API is missing.
 */
export type SerialLock = <T>(fn: () => Promise<T>) => Promise<T>;

export function serialLock(): SerialLock {
  let queue: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };
}
