import type { LoadedModelInfo } from '../../inference/protocol';
import { useState } from 'react';
import {
  INCEPTION_V3_IMAGENET,
  ZOO_FACTS,
  zooModelEntry,
  type ModelEntry,
  type ZooModelName,
} from '../../models/registry';

/** The model Teach builds on, with a way back to InceptionV3. */
export function TeachBase({
  model,
  training,
  onUseModel,
  builtinMissing,
}: {
  model: LoadedModelInfo | null;
  training: boolean;
  onUseModel: (entry: ModelEntry) => void;
  /** the built-in InceptionV3 is not on this server: not offered */
  builtinMissing: boolean;
}) {
  const [zooBase, setZooBase] = useState<ZooModelName>('mobilenetv2');
  return (
    <section className="teach-base" aria-label="Base model">
      <p>
        {model ? (
          <>
            Base: <strong data-testid="teach-base">{model.name}</strong>{' '}
            <span className="muted">
              ({model.inputSize}×{model.inputSize}; photos are resized to this)
            </span>
          </>
        ) : (
          <span className="muted">Waiting for a model to build on…</span>
        )}
        {model && model.id !== INCEPTION_V3_IMAGENET.id && !builtinMissing && (
          <button
            type="button"
            className="button--secondary teach-inline"
            disabled={training}
            onClick={() => onUseModel(INCEPTION_V3_IMAGENET)}
          >
            Use InceptionV3 (ImageNet) as base
          </button>
        )}
      </p>
      <p className="teach-base__zoo">
        <label>
          Or build on a Keras application{' '}
          <select
            data-testid="teach-zoo-base"
            value={zooBase}
            disabled={training}
            onChange={(event) => setZooBase(event.target.value as ZooModelName)}
          >
            {ZOO_FACTS.map((f) => (
              <option key={f.name} value={f.name}>
                {f.displayName}
              </option>
            ))}
          </select>
        </label>{' '}
        <button
          type="button"
          className="button--secondary teach-inline"
          disabled={training}
          onClick={() => onUseModel(zooModelEntry(zooBase))}
        >
          ImageNet weights
        </button>{' '}
        <button
          type="button"
          className="button--secondary teach-inline"
          disabled={training}
          title="The architecture with random weights, for training from scratch"
          onClick={() => onUseModel(zooModelEntry(zooBase, true))}
        >
          Random weights
        </button>
      </p>
      <p className="muted">
        Everything happens in this browser: your photos are not uploaded. Any loaded model works as
        a base (open one under Models).
      </p>
    </section>
  );
}
