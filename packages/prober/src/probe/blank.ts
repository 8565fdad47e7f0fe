import { emptyInstance, type Instance, type InstanceKey } from '@orchestrator/model';

/**
 * A blank instance for `key`: the starting point a probe fills in. It is the store model's empty
 * instance (a pure function, no I/O), so every field is defined in exactly one place.
 */
export function blankInstance(key: InstanceKey): Instance {
  return emptyInstance(key);
}
