// A modal confirmation built on <dialog>: focus moves into it, Escape closes it, the confirm button
// runs the action and the API's answer (or error, verbatim) is shown before it closes.
import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { useSession } from '../session';

export interface ConfirmProps {
  /** Button text that opens the dialog. */
  label: string;
  title: string;
  /** What will happen, and any inputs. */
  children?: ReactNode;
  confirmLabel?: string;
  danger?: boolean;
  /** Disables the confirm button (e.g. until inputs are valid or a preview loaded). */
  canConfirm?: boolean;
  /** Runs the action; resolves with the message to show. */
  run: () => Promise<string>;
  onDone?: () => void;
  onOpen?: () => void;
  /** What the action is about (e.g. an instance), added to the button's accessible name. */
  subject?: string;
  /** Extra class for the opening button. */
  className?: string;
}

export interface ConfirmDialogProps {
  open: boolean;
  /** Closing without acting (Cancel, Escape). */
  onCancel: () => void;
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  canConfirm?: boolean;
  run: () => Promise<string>;
  /** After the action succeeded (its message is in the notice line). */
  onDone?: () => void;
}

/** The dialog itself, opened by its owner: a button (ConfirmAction) or a drop (drag-and-drop moves). */
export function ConfirmDialog(props: ConfirmDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const { notify } = useSession();
  const titleId = useId();
  const { open } = props;

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      setError(undefined);
      d.showModal();
    }
    if (!open && d.open) d.close();
  }, [open]);

  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const message = await props.run();
      notify({ kind: 'ok', text: message });
      props.onCancel();
      props.onDone?.();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onClose={() => {
        if (open) props.onCancel();
      }}
    >
      {open && (
        <form
          method="dialog"
          onSubmit={(e) => {
            e.preventDefault();
            void confirm();
          }}
        >
          <h2 id={titleId}>{props.title}</h2>
          <div className="dialog-body">{props.children}</div>
          {error !== undefined && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          <div className="dialog-buttons">
            <button type="button" onClick={props.onCancel} disabled={busy}>
              Cancel
            </button>
            <button
              type="submit"
              className={props.danger ? 'danger primary' : 'primary'}
              disabled={busy || props.canConfirm === false}
            >
              {busy ? 'Working…' : props.confirmLabel}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}

export function ConfirmAction(props: ConfirmProps) {
  const { canWrite } = useSession();
  const [open, setOpen] = useState(false);
  if (!canWrite) return null;
  return (
    <>
      <button
        type="button"
        className={`${props.danger ? 'danger' : ''} ${props.className ?? ''}`.trim()}
        aria-label={props.subject ? `${props.label} ${props.subject}` : undefined}
        onClick={() => {
          props.onOpen?.();
          setOpen(true);
        }}
      >
        {props.label}
      </button>
      <ConfirmDialog
        open={open}
        onCancel={() => setOpen(false)}
        title={props.title}
        confirmLabel={props.confirmLabel ?? props.label}
        danger={props.danger}
        canConfirm={props.canConfirm}
        run={props.run}
        onDone={props.onDone}
      >
        {props.children}
      </ConfirmDialog>
    </>
  );
}
