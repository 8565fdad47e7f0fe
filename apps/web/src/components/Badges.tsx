import type { Badge } from '../model';

export function Badges({ badges }: { badges: Badge[] }) {
  return (
    <ul className="badges" aria-label="state">
      {badges.map((b) => (
        <li key={b.label} className={`badge ${b.kind}`}>
          {b.label}
        </li>
      ))}
    </ul>
  );
}

export function BadgeDetails({ badges }: { badges: Badge[] }) {
  const details = badges.filter((b) => b.detail);
  if (details.length === 0) return null;
  return (
    <>
      {details.map((b) => (
        <p key={b.label} className={`detail ${b.kind}`}>
          {b.detail}
        </p>
      ))}
    </>
  );
}

export function Status({ error, loading }: { error: string | undefined; loading: boolean }) {
  if (error !== undefined) {
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  }
  if (loading) return <p className="muted">Loading…</p>;
  return null;
}
