// A deadline around one operation on a MySQL connection. mysql2 starts a query's timeout only when
// the query reaches the head of the connection's queue, and a ping has no timeout at all: behind
// a ping to a hung server, every later statement waits forever. Our own timer starts when the
// operation is asked for, so the configured timeouts bound the whole wait.

/** Resolves as `work` does, or rejects with `onTimeout()`'s error once `ms` have passed. */
export function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      reject(onTimeout());
    }, ms);
    work.then(
      (value) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
