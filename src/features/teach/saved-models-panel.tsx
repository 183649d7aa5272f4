import { useState } from 'react';
import { ConfirmButton } from '../../lib/confirm-button';
import { classNamesOf, type StoredModel } from '../../lib/library-client';
import { formatBytes } from './format';

/** Props of {@link SavedModelsPanel}. */
export interface SavedModelsPanelProps {
  models: StoredModel[] | null;
  /** id of the model the app is running */
  activeId: string | null;
  busy: string | null;
  onUse: (model: StoredModel) => void;
  onExport: (model: StoredModel) => void;
  onRename: (model: StoredModel, name: string) => void;
  onDelete: (model: StoredModel) => void;
  onImport: (file: File) => void;
}

function Row({
  model,
  active,
  disabled,
  ...actions
}: {
  model: StoredModel;
  active: boolean;
  disabled: boolean;
} & Pick<SavedModelsPanelProps, 'onUse' | 'onExport' | 'onRename' | 'onDelete'>) {
  const [editing, setEditing] = useState<string | null>(null);
  return (
    <li
      className={`teach-saved${active ? ' teach-saved--active' : ''}`}
      data-testid="teach-saved-model"
      data-name={model.entry.name}
      data-url={model.entry.url}
      data-active={active}
    >
      {editing === null ? (
        <span className="teach-saved__name">
          <strong>{model.entry.name}</strong>
          {active && <span className="chip">in use</span>}
        </span>
      ) : (
        <form
          className="teach-row"
          onSubmit={(event) => {
            event.preventDefault();
            if (editing.trim()) actions.onRename(model, editing);
            setEditing(null);
          }}
        >
          <input
            aria-label="New name"
            data-testid="teach-rename-input"
            value={editing}
            maxLength={80}
            autoFocus
            onChange={(event) => setEditing(event.target.value)}
          />
          <button type="submit" disabled={!editing.trim()}>
            Save name
          </button>
          <button type="button" className="button--secondary" onClick={() => setEditing(null)}>
            Cancel
          </button>
        </form>
      )}
      <span className="muted">
        {classNamesOf(model).join(' · ')} · {model.entry.inputSize}×{model.entry.inputSize} ·{' '}
        {formatBytes(model.bytes)} · {new Date(model.created).toLocaleString()}
      </span>
      <span className="teach-row">
        <button type="button" disabled={disabled || active} onClick={() => actions.onUse(model)}>
          Use
        </button>
        <button
          type="button"
          className="button--secondary"
          disabled={disabled}
          onClick={() => actions.onExport(model)}
        >
          Export
        </button>
        <button
          type="button"
          className="button--secondary"
          disabled={disabled}
          onClick={() => setEditing(model.entry.name)}
        >
          Rename
        </button>
        <ConfirmButton
          className="button--secondary"
          label={`Delete ${model.entry.name}`}
          question={`Delete ${model.entry.name} from this browser?`}
          disabled={disabled || active}
          title={active ? 'Switch to another model before deleting this one' : undefined}
          onConfirm={() => actions.onDelete(model)}
        >
          Delete
        </ConfirmButton>
      </span>
    </li>
  );
}

/** Custom models kept in this browser: use, export, rename, delete; and import an export. */
export function SavedModelsPanel(props: SavedModelsPanelProps) {
  const { models, activeId, busy } = props;
  return (
    <section className="teach-keep" aria-label="Your custom models">
      <h3>Your custom models</h3>
      <p className="muted">
        Kept in this browser (IndexedDB): they work offline and also appear under Models. Export
        gives one .zip file — model.json, weights.bin and metadata.json with the class names — that
        imports back here, or unzips into a TensorFlow.js model any page can load.
      </p>
      {busy && (
        <p className="muted" role="status">
          {busy}
        </p>
      )}
      {models === null ? (
        <p className="muted">Looking for stored models…</p>
      ) : models.length === 0 ? (
        <p className="muted">None yet.</p>
      ) : (
        <ul className="teach-saved-list">
          {models.map((m) => (
            <Row
              key={m.key}
              model={m}
              active={m.entry.id === activeId}
              disabled={!!busy}
              onUse={props.onUse}
              onExport={props.onExport}
              onRename={props.onRename}
              onDelete={props.onDelete}
            />
          ))}
        </ul>
      )}
      <label className={`button button--secondary${busy ? ' button--disabled' : ''}`}>
        Import a model (.zip)…
        <input
          className="visually-hidden"
          type="file"
          accept=".zip,application/zip"
          data-testid="teach-import"
          disabled={!!busy}
          onChange={(event) => {
            const file = event.target.files?.[0];
            event.target.value = '';
            if (file) props.onImport(file);
          }}
        />
      </label>
    </section>
  );
}
