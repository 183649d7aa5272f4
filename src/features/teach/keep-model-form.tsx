import { useState } from 'react';
import type { RunState } from './run-state';

/** "Use it": a name for the trained model, then save (and use) it — or why it cannot be saved. */
export function KeepModelForm({
  run,
  busy,
  onKeep,
}: {
  run: RunState;
  /** a job on the stored models is running */
  busy: boolean;
  /** saves under `name`; `use` also makes it the active model */
  onKeep: (name: string, use: boolean) => void;
}) {
  const [name, setName] = useState('');
  const defaultName =
    run.report?.classNames.join(' vs ').slice(0, 60) ??
    `Custom model ${new Date().toLocaleDateString()}`;
  const keep = (use: boolean): void => onKeep(name.trim() || defaultName, use);
  return (
    <section className="teach-use" aria-label="Use the model">
      <h3>Use it</h3>
      {run.saved ? (
        <p className="muted">Saved: it is in the list below.</p>
      ) : run.lost ? (
        <p className="teach-error" role="alert" data-testid="teach-lost">
          The worker restarted before this model was saved, and the model went with it. Train again
          to keep it (your photos are still here).
        </p>
      ) : (
        <form
          className="teach-row"
          onSubmit={(event) => {
            event.preventDefault();
            keep(true);
          }}
        >
          <label className="teach-field teach-field--wide">
            <span>Name</span>
            <input
              data-testid="teach-model-name"
              value={name}
              placeholder={defaultName}
              maxLength={80}
              onChange={(event) => setName(event.target.value)}
            />
          </label>
          <button type="submit" data-testid="teach-save-use" disabled={busy}>
            Save and use for classifying
          </button>
          <button
            type="button"
            className="button--secondary"
            data-testid="teach-save"
            disabled={busy}
            onClick={() => keep(false)}
          >
            Save only
          </button>
        </form>
      )}
    </section>
  );
}
