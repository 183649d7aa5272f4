import type { ReactNode } from 'react';
import { BACKENDS, isBackendChoice, type BackendReport } from '../../inference/protocol';
import { isResizeMode } from '../../preprocess/geometry';
import type { Settings } from './settings-store';
import './settings.css';

function reportText(r: BackendReport): string {
  if (r.ok) return 'in use';
  if (r.steadyMs !== undefined) return 'measured, slower';
  if (!r.available) return 'unavailable';
  if (r.tried) return 'failed';
  return r.software ? 'software GPU, not needed' : 'not needed';
}

/** What was measured with the loaded model on one backend (automatic choice). */
function measuredText(r: BackendReport): string {
  if (r.firstMs === undefined) return '—';
  const first = `first ${Math.round(r.firstMs)} ms`;
  if (!r.runs || r.steadyMs === undefined) return `${first} (the only candidate)`;
  const when = r.measuredAt ? `, ${new Date(r.measuredAt).toLocaleDateString()}` : '';
  return `${Math.round(r.steadyMs)} ms/photo (median of ${r.runs}; ${first}${when})`;
}

/** Backend and resize settings, plus what the worker found about each backend. */
export function SettingsPanel({
  settings,
  onChange,
  backendFromUrl,
  reports,
  onRemeasure,
  children,
}: {
  settings: Settings;
  onChange: (settings: Settings) => void;
  /** a `?backend=` in the address overrides the stored choice */
  backendFromUrl: string | null;
  reports: BackendReport[];
  /** measures the backends again with the loaded model (automatic choice only) */
  onRemeasure?: (() => void) | undefined;
  /** more settings contributed by other features (storage, …) */
  children?: ReactNode;
}) {
  return (
    <details className="settings" data-testid="settings">
      <summary>Settings</summary>
      <div className="settings__body">
        <label>
          Backend{' '}
          <select
            data-testid="backend-select"
            value={settings.backend}
            onChange={(e) =>
              isBackendChoice(e.target.value) && onChange({ ...settings, backend: e.target.value })
            }
          >
            <option value="auto">Automatic</option>
            {BACKENDS.map((b) => (
              <option key={b} value={b}>
                {b}
              </option>
            ))}
          </select>
        </label>
        {backendFromUrl && (
          <p className="muted">
            The address forces “{backendFromUrl}”; remove ?backend= to use this setting.
          </p>
        )}
        <label>
          Fit photos by{' '}
          <select
            data-testid="resize-select"
            value={settings.resizeMode}
            onChange={(e) =>
              isResizeMode(e.target.value) && onChange({ ...settings, resizeMode: e.target.value })
            }
          >
            <option value="squash">squashing (smooth resize)</option>
            <option value="center-crop">centre crop</option>
            <option value="keras">as Keras&apos; load_img (Python&apos;s exact pixels)</option>
          </select>
        </label>
        {settings.resizeMode === 'keras' && (
          <p className="muted" data-testid="keras-resize-note">
            Decoded and resized exactly as <code>keras.utils.load_img(path, target_size=…)</code>:
            no EXIF rotation, alpha dropped, nearest-neighbour sampling. JPEG and PNG give
            Python&apos;s model input bit for bit.
          </p>
        )}
        {children}
        {reports.length > 0 && (
          <table className="backend-table" data-testid="backend-report">
            <caption>Backends on this device</caption>
            <thead>
              <tr>
                <th scope="col">Backend</th>
                <th scope="col">Result</th>
                <th scope="col">Measured</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {reports.map((r) => (
                <tr key={r.backend} data-backend={r.backend} data-ok={r.ok}>
                  <td>{r.backend}</td>
                  <td>{reportText(r)}</td>
                  <td data-testid="backend-ms">{measuredText(r)}</td>
                  <td>{r.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {onRemeasure && reports.length > 0 && (
          <p>
            <button type="button" data-testid="remeasure" onClick={onRemeasure}>
              Measure backends again
            </button>{' '}
            <span className="muted">
              Automatic choice runs the model on each fast backend once per device and keeps the
              fastest.
            </span>
          </p>
        )}
      </div>
    </details>
  );
}
