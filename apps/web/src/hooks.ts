// Live data: poll a loader every interval (default 1.5 s) while the page is shown.
import { useCallback, useEffect, useRef, useState } from 'react';

export interface Polled<T> {
  data: T | undefined;
  error: string | undefined;
  /** Loads again now (after an action). */
  reload: () => void;
}

export const POLL_MS = 1500;

export function usePoll<T>(load: () => Promise<T>, key: string, intervalMs = POLL_MS): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const loadRef = useRef(load);
  loadRef.current = load;
  const tick = useRef<() => void>(() => {});

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` names what the loader loads; a new key restarts polling
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let running = false;
    setData(undefined);
    setError(undefined);
    const run = async () => {
      if (stopped || running) return;
      running = true;
      clearTimeout(timer);
      try {
        const value = await loadRef.current();
        if (!stopped) {
          setData(value);
          setError(undefined);
        }
      } catch (err) {
        if (!stopped) setError((err as Error).message);
      } finally {
        running = false;
        if (!stopped) timer = setTimeout(run, intervalMs);
      }
    };
    tick.current = () => void run();
    void run();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [key, intervalMs]);

  const reload = useCallback(() => tick.current(), []);
  return { data, error, reload };
}
