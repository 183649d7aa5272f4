import { useState } from 'react';
import type { InferenceClient } from '../../inference/client';
import type { KerasH5Export } from '../../inference/protocol';
import { downloadFile } from '../../lib/download';
import { messageOf } from '../../lib/message-of';

/** Props of {@link ExportH5Button}. */
export interface ExportH5ButtonProps {
  client: InferenceClient;
  /** a stored model's key; null (the default) exports the model trained last */
  modelKey?: string | null;
  disabled?: boolean;
}

/**
 * "Download for Keras (.h5)": the model as a Keras weights file in the layout of Keras' own
 * application files, then the Python that rebuilds the model and loads it.
 */
export function ExportH5Button({ client, modelKey = null, disabled = false }: ExportH5ButtonProps) {
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<Omit<KerasH5Export, 'bytes'> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const { bytes, ...rest } = await client.call('export-h5', { key: modelKey });
      downloadFile(bytes, rest.fileName, 'application/x-hdf5');
      setDone(rest);
    } catch (e) {
      setError(`The Keras export failed: ${messageOf(e)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="teach-export-h5" data-testid="export-h5-panel">
      <button
        type="button"
        className="button--secondary"
        data-testid="export-h5"
        disabled={disabled || busy}
        onClick={() => void run()}
      >
        {busy ? 'Writing the .h5…' : 'Download for Keras (.h5)'}
      </button>
      {error && (
        <p className="teach-error" role="alert" data-testid="export-h5-error">
          {error}
        </p>
      )}
      {done && (
        <details open data-testid="export-h5-python" data-kind={done.kind}>
          <summary>
            {done.fileName}: {done.description}. Load it in Python:
          </summary>
          <pre>
            <code>{done.python}</code>
          </pre>
        </details>
      )}
    </div>
  );
}
