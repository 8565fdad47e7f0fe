// Recoveries (newest first) with their audited steps and acknowledgement.
import { get } from '../api';
import { Status } from '../components/Badges';
import { RecoveryList } from '../components/RecoveryList';
import { usePoll } from '../hooks';
import type { Recovery } from '../model';

export function RecoveriesPage() {
  const { data, error, reload } = usePoll(() => get<Recovery[]>('audit-recovery'), 'recoveries', 2000);
  return (
    <section aria-labelledby="recoveries-title">
      <h1 id="recoveries-title">Recoveries</h1>
      <Status error={error} loading={!data && !error} />
      {data && data.length === 0 && <p className="muted">No recoveries yet.</p>}
      {data && data.length > 0 && <RecoveryList recoveries={data} onDone={reload} />}
    </section>
  );
}
