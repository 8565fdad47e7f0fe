// topology, topology-tabulated, topology-tags: the ASCII tree in an envelope's Details.
import { okEnvelope } from '../envelope.js';
import { failed } from '../errors.js';
import { parseKey } from '../params.js';
import type { RouteDef, RouteRequest } from '../route.js';
import { topologyText } from '../topology-text.js';
import { keyString, requireInstance, resolveClusterHint } from './helpers.js';

type Variant = 'plain' | 'tabulated' | 'tags';

async function render(req: RouteRequest, variant: Variant): Promise<unknown> {
  const cluster =
    req.params.host !== undefined
      ? (await requireInstance(req, parseKey(req.params))).ClusterName
      : await resolveClusterHint(req, req.params.clusterHint ?? '');
  const instances = await req.deps.instances.clusterInstances(cluster);
  if (instances.length === 0)
    throw failed(`No instances found for cluster ${cluster}`, { ClusterName: cluster });
  let tags: Map<string, string[]> | undefined;
  if (variant === 'tags') {
    tags = new Map();
    for (const i of instances) tags.set(keyString(i.Key), await req.deps.tags.list(i.Key));
  }
  return okEnvelope('Topology', topologyText(instances, { tabulated: variant === 'tabulated', tags }));
}

function topologyRoute(name: string, variant: Variant): RouteDef {
  return {
    name,
    paths: [`${name}/:clusterHint`, `${name}/:host/:port`],
    kind: 'proxied',
    cacheable: true,
    handler: (req) => render(req, variant),
  };
}

export const topologyRoutes: RouteDef[] = [
  topologyRoute('topology', 'plain'),
  topologyRoute('topology-tabulated', 'tabulated'),
  topologyRoute('topology-tags', 'tags'),
];
