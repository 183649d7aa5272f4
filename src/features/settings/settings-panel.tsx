import { useEffect, useRef, useState, type ReactNode, type RefObject } from 'react';
import { BACKENDS, isBackendChoice, type BackendReport } from '../../inference/protocol';
import { backendName } from '../../lib/backend-names';
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

/** Where Settings floats over the page (settings.css uses the same width). */
const POPOVER_MEDIA = '(min-width: 641px)';

/**
 * Closes the open `<details>` popover on Escape (focus back on its summary) and on a press
 * outside it, as a menu would.
 */
function useDismiss(ref: RefObject<HTMLDetailsElement | null>): void {
  useEffect(() => {
    const close = (refocus: boolean) => {
      const el = ref.current;
      if (!el?.open) return;
      el.open = false;
      if (refocus) el.querySelector('summary')?.focus();
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && ref.current?.open) close(true);
    };
    const onPointer = (event: PointerEvent) => {
      const el = ref.current;
      if (!el || (event.target instanceof Node && el.contains(event.target))) return;
      // On a narrow screen the panel sits in the page's flow (settings.css): leave it open.
      if (matchMedia(POPOVER_MEDIA).matches) close(false);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', onPointer);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', onPointer);
    };
  }, [ref]);
}

/**
 * Backend and resize settings, plus what the worker found about each backend. It opens as a
 * popover over the page (wide screens) rather than pushing the page down; Escape closes it.
 */
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
  const ref = useRef<HTMLDetailsElement>(null);
  const [showTable, setShowTable] = useState(false);
  useDismiss(ref);
  const inUse = reports.find((r) => r.ok);
  return (
    <details className="settings" data-testid="settings" ref={ref}>
      <summary>Settings</summary>
      <div className="settings__body" role="group" aria-label="Settings">
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
                {backendName(b)}
              </option>
            ))}
          </select>
        </label>
        {backendFromUrl && (
          <p className="muted">
            This page’s address asks for {backendName(backendFromUrl)}; remove ?backend= from it to
            use this setting.
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
        {inUse && (
          <p className="muted" data-testid="backend-in-use">
            Running on {backendName(inUse.backend)}
            {settings.backend === 'auto' && !backendFromUrl ? ', the fastest here' : ''}.
          </p>
        )}
        {reports.length > 0 && (
          <div className="settings__more">
            {/* A disclosure button, not a nested <details>: tests find Settings' own summary. */}
            <button
              type="button"
              className="button--secondary button--small"
              aria-expanded={showTable}
              aria-controls="backend-report"
              onClick={() => setShowTable((v) => !v)}
            >
              {showTable ? 'Hide' : 'Show'} how each backend did on this device
            </button>
            <table
              className="backend-table"
              data-testid="backend-report"
              id="backend-report"
              hidden={!showTable}
            >
              <caption className="visually-hidden">Backends on this device</caption>
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
                    <td>{backendName(r.backend)}</td>
                    <td>{reportText(r)}</td>
                    <td data-testid="backend-ms">{measuredText(r)}</td>
                    <td className="backend-table__detail">{r.detail}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {onRemeasure && reports.length > 0 && (
          <p className="muted">
            Automatic choice runs the model on each fast backend once per device and keeps the
            fastest.{' '}
            <button
              type="button"
              className="button--secondary button--small"
              data-testid="remeasure"
              onClick={onRemeasure}
            >
              Measure backends again
            </button>
          </p>
        )}
        {children}
      </div>
    </details>
  );
}
