// One handler per replicated op, grouped by the tables they write: `decode` validates the payload
// (before anything is written), `apply` writes inside the FSM's transaction. Handlers use only the
// payload, the envelope time and the backend's own rows, so every node computes the same tables.
import type { CommandOp } from '../commands.js';
import type { Handler } from './handler.js';
import { instancesHandlers } from './instances.js';
import { kvHandlers } from './kv.js';
import { maintenanceHandlers } from './maintenance.js';
import { nodeHandlers } from './node.js';
import { recoveriesHandlers } from './recoveries.js';
import { tagsHandlers } from './tags.js';

export type { ApplyContext, Handler, HandlerResult } from './handler.js';

/** Every op's handler: the type makes a missing op a compile error. */
export const handlers: Record<CommandOp, Handler> = {
  ...nodeHandlers,
  ...instancesHandlers,
  ...maintenanceHandlers,
  ...recoveriesHandlers,
  ...kvHandlers,
  ...tagsHandlers,
};
