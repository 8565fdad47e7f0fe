// Drag-and-drop of a replica onto its new master on the topology page (HTML5 drag and drop). A drop
// opens a dialog with the plan (components/MovePlan); the move runs only when the operator confirms
// it, and cancelling changes nothing. The "Move…" button on each replica does the same by keyboard.
import { type DragEvent, type ReactNode, useState } from 'react';
import { act, path } from '../api';
import { hasMaster, type Instance, type InstanceKey, keyString, parseKey } from '../model';
import { dropIntent } from '../move-plan';
import { useSession } from '../session';
import { ConfirmDialog } from './Dialog';
import { MovePlanView, useMovePlan } from './MovePlan';

const MIME = 'application/x-orchestrator-instance';

export interface DragMove {
  /** Props for an instance's card: replicas can be dragged, every card takes a drop. */
  cardProps: (i: Instance) => {
    draggable?: boolean;
    onDragStart?: (e: DragEvent) => void;
    onDragEnd?: () => void;
    onDragOver?: (e: DragEvent) => void;
    onDragLeave?: () => void;
    onDrop?: (e: DragEvent) => void;
    'data-drop'?: 'ok' | 'refused';
  };
  dialog: ReactNode;
}

export function useDragMove(cluster: readonly Instance[], onDone: () => void): DragMove {
  const { canWrite } = useSession();
  const [dragging, setDragging] = useState<InstanceKey | undefined>(undefined);
  const [over, setOver] = useState<string | undefined>(undefined);
  const [drop, setDrop] = useState<{ moved: InstanceKey; target: InstanceKey } | undefined>(undefined);
  const state = useMovePlan(cluster, drop?.moved, drop?.target);

  const cardProps: DragMove['cardProps'] = (i) => {
    if (!canWrite) return {};
    const key = keyString(i.Key);
    const draggedKey = (e: DragEvent): InstanceKey | undefined =>
      dragging ?? parseKey(e.dataTransfer.getData(MIME)) ?? undefined;
    return {
      draggable: hasMaster(i),
      onDragStart: hasMaster(i)
        ? (e) => {
            e.dataTransfer.setData(MIME, key);
            e.dataTransfer.setData('text/plain', key);
            e.dataTransfer.effectAllowed = 'move';
            setDragging(i.Key);
          }
        : undefined,
      onDragEnd: () => {
        setDragging(undefined);
        setOver(undefined);
      },
      onDragOver: (e) => {
        const moved = draggedKey(e);
        if (!moved || keyString(moved) === key) return;
        // Every other card takes the drop: a refused one opens the dialog that says why.
        e.preventDefault();
        e.dataTransfer.dropEffect = 'move';
        if (over !== key) setOver(key);
      },
      onDragLeave: () => {
        if (over === key) setOver(undefined);
      },
      onDrop: (e) => {
        const moved = draggedKey(e);
        e.preventDefault();
        setDragging(undefined);
        setOver(undefined);
        if (moved && keyString(moved) !== key) setDrop({ moved, target: i.Key });
      },
      'data-drop':
        dragging && over === key ? (dropIntent(cluster, dragging, i.Key).ok ? 'ok' : 'refused') : undefined,
    };
  };

  const moved = drop ? keyString(drop.moved) : '';
  const target = drop ? keyString(drop.target) : '';
  const dialog = (
    <ConfirmDialog
      open={drop !== undefined}
      onCancel={() => setDrop(undefined)}
      title={`Move ${moved} below ${target}?`}
      confirmLabel="Relocate"
      canConfirm={state.plan?.possible === true}
      run={async () => {
        if (!drop) throw new Error('nothing to move');
        const { moved: m, target: t } = drop;
        return (await act(path('relocate', m.Hostname, m.Port, t.Hostname, t.Port))).message;
      }}
      onDone={onDone}
    >
      <MovePlanView state={state} />
    </ConfirmDialog>
  );
  return { cardProps, dialog };
}
