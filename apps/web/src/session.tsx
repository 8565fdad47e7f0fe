// Who is using the UI: read-only users (AuthenticationMethod multi's `readonly`, or a ReadOnly
// daemon) see no mutating actions. Plus the notice line where action results are announced.
import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react';
import { get } from './api';

export interface Notice {
  kind: 'ok' | 'error';
  text: string;
}

interface Session {
  canWrite: boolean;
  user: string;
  notice: Notice | undefined;
  notify: (notice: Notice | undefined) => void;
}

const SessionContext = createContext<Session>({
  canWrite: false,
  user: '',
  notice: undefined,
  notify: () => {},
});

export function SessionProvider({ children }: { children: ReactNode }) {
  const [who, setWho] = useState({ canWrite: false, user: '' });
  const [notice, setNotice] = useState<Notice | undefined>(undefined);
  useEffect(() => {
    get<{ User: string; CanWrite: boolean }>('whoami')
      .then((w) => setWho({ canWrite: w.CanWrite === true, user: w.User ?? '' }))
      .catch((err: Error) => setNotice({ kind: 'error', text: `cannot tell who you are: ${err.message}` }));
  }, []);
  const notify = useCallback((n: Notice | undefined) => setNotice(n), []);
  return <SessionContext value={{ ...who, notice, notify }}>{children}</SessionContext>;
}

export function useSession(): Session {
  return useContext(SessionContext);
}
