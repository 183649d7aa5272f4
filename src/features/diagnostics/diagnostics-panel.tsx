import { useEffect, useMemo, useRef, useState } from 'react';
import type { EngineReport } from '../../inference/protocol';
import { backendName } from '../../lib/backend-names';
import { messageOf } from '../../lib/message-of';
import './diagnostics.css';

/** What the worker reports about TensorFlow.js memory. */
export interface MemoryReport {
  numTensors: number;
  numBytes: number;
  backend: string;
}

/**
 * Settings → Diagnostics: tensors held by the engine, JS heap where the browser tells, a restart
 * button, and (with `?debug=1`) a simulated GPU loss for testing recovery. Once measured, the
 * figures are measured again whenever the active backend changes, so they never describe the
 * backend that was left.
 */
export function DiagnosticsPanel({
  measure,
  onRestart,
  onSimulateLoss,
  activeBackend = null,
  engine = null,
}: {
  measure: () => Promise<MemoryReport>;
  /** the backend the model runs on now (null while none is ready) */
  activeBackend?: string | null;
  /** which engine classifies photos and why (null while no model is ready) */
  engine?: EngineReport | null;
  onRestart: () => void;
  /** present only in debug mode */
  onSimulateLoss?: () => Promise<void>;
}) {
  const [report, setReport] = useState<(MemoryReport & { round: number }) | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const measured = useRef(false);
  const measureNow = useRef(measure);
  useEffect(() => {
    measureNow.current = measure;
  }, [measure]);
  useEffect(() => {
    if (!activeBackend || !measured.current) return;
    let live = true;
    measureNow
      .current()
      .then((next) => {
        // a refresh, not a new round: data-round counts the user's measurements
        if (live) setReport((r) => (r ? { ...next, round: r.round } : r));
      })
      .catch(() => undefined); // the next "Measure memory" reports any problem
    return () => {
      live = false;
    };
  }, [activeBackend]);
  // Read once, then with each report, not on every render: the getter costs milliseconds, and
  // the page re-renders this panel with every photo's result while a batch runs.
  const heap = useMemo(
    () =>
      (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize,
    // eslint-disable-next-line react-hooks/exhaustive-deps -- read again when a report arrives
    [report],
  );

  const run = (job: () => Promise<void>): void => {
    setProblem(null);
    job().catch((error: unknown) => setProblem(messageOf(error)));
  };

  return (
    <fieldset className="diagnostics" data-testid="diagnostics">
      <legend>Diagnostics</legend>
      <p>
        {report ? (
          <>
            <span
              data-testid="tensor-count"
              data-value={report.numTensors}
              data-round={report.round}
            >
              {report.numTensors} tensors
            </span>{' '}
            ({(report.numBytes / 1e6).toFixed(1)} MB) on{' '}
            <span data-testid="memory-backend" data-backend={report.backend}>
              {backendName(report.backend)}
            </span>
          </>
        ) : (
          'Engine memory not measured yet.'
        )}
        {heap !== undefined && ` · page heap ${(heap / 1e6).toFixed(0)} MB`}
      </p>
      {engine && (
        <p data-testid="engine-report" data-engine={engine.engine}>
          Photos run on {engine.engine === 'litert' ? 'LiteRT.js' : 'TensorFlow.js'}.{' '}
          <span className="muted">{engine.detail}</span>
        </p>
      )}
      <div className="diagnostics__actions">
        <button
          type="button"
          className="button--secondary"
          onClick={() =>
            run(async () => {
              const next = await measure();
              measured.current = true;
              setReport((r) => ({ ...next, round: (r?.round ?? 0) + 1 }));
            })
          }
        >
          Measure memory
        </button>
        <button type="button" className="button--secondary" onClick={onRestart}>
          Restart engine
        </button>
        {onSimulateLoss && (
          <button
            type="button"
            className="button--secondary"
            data-testid="simulate-gpu-loss"
            onClick={() => run(onSimulateLoss)}
          >
            Simulate GPU loss
          </button>
        )}
      </div>
      {problem && <p role="alert">{problem}</p>}
    </fieldset>
  );
}
