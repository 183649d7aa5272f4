import { useState } from 'react';
import type { InferenceClient } from '../../inference/client';
import { CameraCapture } from './camera-capture';
import { ClassCard } from './class-card';
import { MAX_CLASSES, nextClassName, type TeachState } from './teach-state';
import { newClassId, removeClass, removePhoto, teachStore } from './teach-store';
import type { AddPhotos } from './use-add-photos';

/** Props of {@link ClassesSection}. */
export interface ClassesSectionProps {
  client: InferenceClient;
  data: TeachState;
  /** why photos cannot be added right now, or null */
  locked: string | null;
  training: boolean;
  photos: AddPhotos;
}

/** The classes with their photos, ways to add more (files, paste, camera) and what went wrong. */
export function ClassesSection({ client, data, locked, training, photos }: ClassesSectionProps) {
  /** the class the camera adds to, while it is open */
  const [cameraFor, setCameraFor] = useState<string | null>(null);
  const { add } = photos;
  const numClasses = data.classes.length;
  // The camera closes when its class is removed (captures never go to another class).
  const cameraClass = data.classes.find((c) => c.id === cameraFor) ?? null;
  return (
    <section aria-label="Classes">
      <h3>
        Classes{' '}
        <span className="muted">
          {data.examples.length} photos{data.adding > 0 && ` · adding ${data.adding}…`}
        </span>
      </h3>
      <div className="teach-classes">
        {data.classes.map((c) => (
          <ClassCard
            key={c.id}
            cls={c}
            classes={data.classes}
            examples={data.examples.filter((e) => e.classId === c.id)}
            active={c.id === data.activeClassId}
            locked={locked}
            canRemove={!training && numClasses > 1}
            onSelect={() => teachStore.dispatch({ type: 'select-class', id: c.id })}
            onRename={(value) =>
              teachStore.dispatch({ type: 'rename-class', id: c.id, name: value })
            }
            onRemove={() => void removeClass(client, c.id)}
            onAddFiles={(files) => void add(c.id, files)}
            onRemoveExample={(id) => void removePhoto(client, id)}
            onCamera={() => {
              teachStore.dispatch({ type: 'select-class', id: c.id });
              setCameraFor(c.id);
            }}
          />
        ))}
      </div>
      <button
        type="button"
        className="button--secondary"
        disabled={training || numClasses >= MAX_CLASSES}
        title={numClasses >= MAX_CLASSES ? `At most ${MAX_CLASSES} classes` : undefined}
        onClick={() =>
          teachStore.dispatch({
            type: 'add-class',
            id: newClassId(),
            name: nextClassName(data.classes),
          })
        }
      >
        Add class
      </button>
      {photos.lockedNote && (
        <p className="muted" role="status" data-testid="teach-locked-note">
          {photos.lockedNote}
        </p>
      )}
      {cameraClass && (
        <CameraCapture
          key={cameraClass.id}
          className={cameraClass.name}
          locked={locked}
          onCapture={(photo) => add(cameraClass.id, [photo])}
          onClose={() => setCameraFor(null)}
        />
      )}
      {data.problems.length > 0 && (
        <ul className="teach-problems" role="alert" data-testid="teach-problems">
          {data.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
