import { useState } from 'react';
import './results-export.css';
import { downloadFile } from '../../lib/download';
import { messageOf } from '../../lib/message-of';
import { exportFileName, resultRows, toCsv, toJson, type ExportableCard } from './export-format';

/** One-click CSV and JSON downloads of the finished photos' predictions. */
export function ResultsExport({ cards }: { cards: readonly ExportableCard[] }) {
  const [error, setError] = useState<string | null>(null);
  const done = cards.filter((c) => c.status === 'done').length;
  const left = cards.length - done;
  const hint =
    done === 0
      ? 'No finished photos to export yet'
      : `Exports ${done} finished photo${done === 1 ? '' : 's'}` +
        (left > 0 ? ` (${left} unfinished or failed left out)` : '');

  const save = (kind: 'csv' | 'json'): void => {
    try {
      const now = new Date();
      const text = kind === 'csv' ? toCsv(resultRows(cards)) : toJson(cards, now);
      const type = kind === 'csv' ? 'text/csv;charset=utf-8' : 'application/json';
      downloadFile(text, exportFileName(kind, now), type);
      setError(null);
    } catch (e) {
      setError(`Could not export: ${messageOf(e)}`);
    }
  };

  return (
    <span className="results-export" role="group" aria-label="Export results">
      <button
        type="button"
        data-testid="export-csv"
        disabled={done === 0}
        title={hint}
        onClick={() => save('csv')}
      >
        Export CSV
      </button>
      <button
        type="button"
        data-testid="export-json"
        disabled={done === 0}
        title={hint}
        onClick={() => save('json')}
      >
        Export JSON
      </button>
      {error && (
        <span role="alert" className="results-export__error">
          {error}
        </span>
      )}
    </span>
  );
}
