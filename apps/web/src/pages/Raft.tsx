// The raft group: every member as the leader sees it, this node's own view, and yield-to-node.
import { act, get, path } from '../api';
import { Status } from '../components/Badges';
import { ConfirmAction } from '../components/Dialog';
import { usePoll } from '../hooks';
import { ago, type RaftMembers, type RaftStatus } from '../model';

async function loadRaft() {
  const [local, group] = await Promise.all([
    get<RaftStatus>('raft-status'),
    get<RaftMembers>('raft-members').catch((err: Error) => err),
  ]);
  return { local, group };
}

export function RaftPage() {
  const { data, error, reload } = usePoll(loadRaft, 'raft', 1000);
  const group = data && !(data.group instanceof Error) ? data.group : undefined;
  const groupError = data?.group instanceof Error ? data.group.message : undefined;
  return (
    <section aria-labelledby="raft-title">
      <h1 id="raft-title">Raft group</h1>
      <Status error={error} loading={!data && !error} />
      {groupError && (
        <p className="error" role="alert">
          {groupError}
        </p>
      )}
      {group && (
        <>
          <p>
            Leader <strong data-testid="raft-leader">{group.Leader || 'none'}</strong> · term{' '}
            <strong>{group.Term ?? '?'}</strong> · commit index <strong>{group.CommitIndex ?? '?'}</strong> ·
            applied index <strong>{group.AppliedIndex ?? '?'}</strong> (on the leader)
          </p>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Member</th>
                  <th scope="col">State</th>
                  <th scope="col">Match index</th>
                  <th scope="col">Last contact</th>
                  <th scope="col">Health</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {group.Members.map((m) => {
                  const reachable = m.IsLeader || (m.LastContactSeconds !== null && m.LastContactSeconds < 5);
                  return (
                    <tr key={m.Address} data-member={m.Address}>
                      <td className="mono">{m.Address}</td>
                      <td>
                        <span className={`badge ${m.IsLeader ? 'info' : reachable ? 'ok' : 'bad'}`}>
                          {m.IsLeader ? 'Leader' : reachable ? 'Follower' : 'unreachable'}
                        </span>
                      </td>
                      <td>{m.MatchIndex === 0 && !reachable ? 'unknown' : m.MatchIndex}</td>
                      <td>{m.IsLeader ? '—' : ago(m.LastContactSeconds)}</td>
                      <td>
                        <span className={`badge ${m.Healthy ? 'ok' : 'warn'}`}>
                          {m.Healthy ? 'healthy' : 'no recent report'}
                        </span>
                      </td>
                      <td>
                        {!m.IsLeader && reachable && (
                          <ConfirmAction
                            label="Make leader"
                            subject={m.Address}
                            title={`Yield leadership to ${m.Address}`}
                            confirmLabel="Yield"
                            run={async () => (await act(path('raft-transfer-leadership', m.Address))).message}
                            onDone={reload}
                          >
                            <p>
                              The leader hands leadership to <strong>{m.Address}</strong> once it has caught
                              up.
                            </p>
                          </ConfirmAction>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
      {data && (
        <div className="panel">
          <h2>This node</h2>
          <dl className="facts">
            <div>
              <dt>Address</dt>
              <dd className="mono">{data.local.RaftAdvertise}</dd>
            </div>
            <div>
              <dt>State</dt>
              <dd data-testid="local-state">{data.local.State}</dd>
            </div>
            <div>
              <dt>Knows leader</dt>
              <dd>{data.local.Leader || 'none'}</dd>
            </div>
            <div>
              <dt>Term</dt>
              <dd>{data.local.Term ?? '?'}</dd>
            </div>
            <div>
              <dt>Commit / applied index</dt>
              <dd>
                {data.local.CommitIndex ?? '?'} / {data.local.AppliedIndex ?? '?'}
              </dd>
            </div>
            <div>
              <dt>Healthy</dt>
              <dd>{data.local.Healthy ? 'yes' : 'no'}</dd>
            </div>
            <div>
              <dt>Part of quorum</dt>
              <dd>{data.local.IsPartOfQuorum ? 'yes' : 'no'}</dd>
            </div>
          </dl>
        </div>
      )}
    </section>
  );
}
