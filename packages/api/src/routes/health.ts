// Node health for load balancers and operators: health, status, lb-check, _ping.
import { READONLY_USER } from '../auth.js';
import { errorEnvelope, okEnvelope, reply } from '../envelope.js';
import type { RouteDef, RouteRequest } from '../route.js';

async function health(req: RouteRequest): Promise<unknown> {
  const status = await req.deps.health.status();
  if (status.Healthy) return okEnvelope('Application node is healthy', status);
  return reply(500, errorEnvelope('Application node is unhealthy', status));
}

export const healthRoutes: RouteDef[] = [
  { name: 'health', paths: ['health'], kind: 'local', auth: 'none', handler: health },
  { name: 'status', paths: ['status'], kind: 'local', auth: 'none', handler: health },
  { name: 'lb-check', paths: ['lb-check'], kind: 'local', auth: 'none', handler: () => 'OK' },
  { name: '_ping', paths: ['_ping'], kind: 'local', auth: 'none', handler: () => 'OK' },
  // Ours (web interface): who is asking and whether they may run mutating routes.
  {
    name: 'whoami',
    paths: ['whoami'],
    kind: 'local',
    handler: (req) => ({
      User: req.user,
      CanWrite:
        !req.options.readOnly &&
        !(req.options.authenticationMethod === 'multi' && req.user === READONLY_USER),
    }),
  },
];
