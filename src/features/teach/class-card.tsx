import { useState, type DragEvent } from 'react';
import { ConfirmButton } from '../../lib/confirm-button';
import { classNameProblem, type TeachClass, type TeachExample } from './teach-state';

/** Props of {@link ClassCard}. */
export interface ClassCardProps {
  cls: TeachClass;
  classes: readonly TeachClass[];
  examples: readonly TeachExample[];
  /** paste and the camera add to this class */
  active: boolean;
  /** why photos cannot be added right now (no model, training), or null */
  locked: string | null;
  canRemove: boolean;
  onSelect: () => void;
  onRename: (name: string) => void;
  onRemove: () => void;
  onAddFiles: (files: File[]) => void;
  onRemoveExample: (id: string) => void;
  onCamera: () => void;
}

/** One class: its name (editable), photo count, thumbnails, and ways to add photos. */
export function ClassCard(props: ClassCardProps) {
  const { cls, examples, active, locked } = props;
  const [over, setOver] = useState(false);
  const problem = classNameProblem(cls.name, props.classes, cls.id);

  const onDrop = (event: DragEvent): void => {
    event.preventDefault();
    setOver(false);
    // While locked the view refuses the photos and says why.
    const files = Array.from(event.dataTransfer.files);
    if (files.length > 0) props.onAddFiles(files);
  };

  return (
    <section
      className={`teach-class${active ? ' teach-class--active' : ''}${over ? ' teach-class--over' : ''}`}
      data-testid="teach-class"
      data-name={cls.name}
      aria-label={`Class ${cls.name}`}
      aria-current={active ? 'true' : undefined}
      onFocus={props.onSelect}
      onClick={props.onSelect}
      onDragOver={(event) => {
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <div className="teach-class__head">
        <input
          className="teach-class__name"
          data-testid="teach-class-name"
          aria-label="Class name"
          aria-invalid={problem ? true : undefined}
          value={cls.name}
          maxLength={60}
          onChange={(event) => props.onRename(event.target.value)}
        />
        <span className="chip" data-testid="teach-count" data-count={examples.length}>
          {examples.length} {examples.length === 1 ? 'photo' : 'photos'}
        </span>
        {props.canRemove &&
          (examples.length === 0 ? (
            <button
              type="button"
              className="icon-button"
              aria-label={`Remove class ${cls.name}`}
              onClick={(event) => {
                event.stopPropagation();
                props.onRemove();
              }}
            >
              ×
            </button>
          ) : (
            <ConfirmButton
              className="icon-button"
              label={`Remove class ${cls.name}`}
              question={`Remove “${cls.name}” and its ${examples.length} ${examples.length === 1 ? 'photo' : 'photos'}?`}
              yes="Yes, remove"
              onConfirm={props.onRemove}
            >
              ×
            </ConfirmButton>
          ))}
      </div>
      {problem && (
        <p className="teach-error" role="alert">
          {problem}
        </p>
      )}
      <div className="teach-row">
        <label className={`button button--secondary${locked ? ' button--disabled' : ''}`}>
          Add photos…
          <input
            className="visually-hidden"
            type="file"
            multiple
            accept="image/*,.heic,.heif"
            data-testid="teach-add-photos"
            disabled={!!locked}
            onChange={(event) => {
              const files = Array.from(event.target.files ?? []);
              event.target.value = '';
              if (files.length > 0) props.onAddFiles(files);
            }}
          />
        </label>
        <button
          type="button"
          className="button--secondary"
          disabled={!!locked}
          onClick={(event) => {
            event.stopPropagation();
            props.onCamera();
          }}
        >
          Camera
        </button>
        <span className="muted">
          {locked ?? (active ? 'or drop / paste photos here' : 'or drop photos here')}
        </span>
      </div>
      {examples.length > 0 && (
        <ul className="teach-thumbs" aria-label={`Photos of ${cls.name}`}>
          {examples.map((e) => (
            <li key={e.id} data-testid="teach-example" title={e.name}>
              <img src={e.thumbnailUrl} alt={e.name} />
              <button
                type="button"
                className="teach-thumbs__remove"
                aria-label={`Remove ${e.name}`}
                onClick={(event) => {
                  event.stopPropagation();
                  props.onRemoveExample(e.id);
                }}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
