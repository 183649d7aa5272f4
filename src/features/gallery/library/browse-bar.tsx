import { memo } from 'react';
import { shortLabel } from '../prediction-label';
import type { Card } from '../gallery-state';
import { countByTop1, NOT_SURE_BELOW, SORTS, type BrowseOptions, type SortKey } from './browse';

/** How many labels the chart shows (the rest are summed up). */
const CHART_LABELS = 12;

/**
 * The browsing controls. Memoised on the options: React writes every prop of an `<input>` again
 * each time it draws one, so these are not drawn with every photo's result, only when the options
 * change.
 */
const BrowseControls = memo(function BrowseControls({
  options,
  onChange,
}: {
  options: BrowseOptions;
  onChange: (options: BrowseOptions) => void;
}) {
  const set = (change: Partial<BrowseOptions>) => onChange({ ...options, ...change });
  return (
    <div className="browse__controls">
      <label>
        Search labels{' '}
        <input
          type="search"
          data-testid="library-search"
          value={options.query}
          placeholder="e.g. cat, husky"
          onChange={(e) => set({ query: e.target.value })}
        />
      </label>
      <label>
        At least{' '}
        <input
          type="range"
          min={0}
          max={100}
          step={5}
          value={Math.round(options.minConfidence * 100)}
          data-testid="library-confidence"
          aria-valuetext={`${Math.round(options.minConfidence * 100)}% confidence`}
          onChange={(e) => set({ minConfidence: Number(e.target.value) / 100 })}
        />{' '}
        <span>{Math.round(options.minConfidence * 100)}%</span>
      </label>
      <label>
        Sort{' '}
        <select
          data-testid="library-sort"
          value={options.sort}
          onChange={(e) => set({ sort: e.target.value as SortKey })}
        >
          {Object.entries(SORTS).map(([key, text]) => (
            <option key={key} value={key}>
              {text}
            </option>
          ))}
        </select>
      </label>
      <label>
        <input
          type="checkbox"
          data-testid="library-not-sure"
          checked={options.notSure}
          onChange={(e) => set({ notSure: e.target.checked })}
        />{' '}
        Not sure (top answer below {Math.round(NOT_SURE_BELOW * 100)}%)
      </label>
      {options.label !== null && (
        <button
          type="button"
          className="button--secondary"
          onClick={() => set({ label: null })}
          data-testid="library-label-clear"
        >
          Show every label (now: {shortLabel(options.label)})
        </button>
      )}
    </div>
  );
});

/**
 * Browsing the library: label search, confidence floor, order, "not sure", and a bar chart of the
 * top-1 labels whose bars filter by that label.
 */
export function BrowseBar({
  cards,
  options,
  onChange,
}: {
  cards: Card[];
  options: BrowseOptions;
  onChange: (options: BrowseOptions) => void;
}) {
  const counts = countByTop1(cards);
  const shown = counts.slice(0, CHART_LABELS);
  const max = shown[0]?.count ?? 1;
  const set = (change: Partial<BrowseOptions>) => onChange({ ...options, ...change });
  return (
    <div className="browse" data-testid="library-browse">
      <BrowseControls options={options} onChange={onChange} />
      {shown.length > 0 && (
        <figure className="browse__chart">
          <figcaption className="muted">
            Top answers in this library
            {counts.length > shown.length && ` (${shown.length} of ${counts.length} labels)`}:
            choose one to show only its photos
          </figcaption>
          <ul data-testid="library-chart">
            {shown.map(({ label, count }) => (
              <li key={label}>
                <button
                  type="button"
                  className="browse__bar"
                  aria-pressed={options.label === label}
                  data-label={label}
                  data-count={count}
                  onClick={() => set({ label: options.label === label ? null : label })}
                >
                  <span className="browse__bar-label" title={label}>
                    {shortLabel(label)}
                  </span>
                  <span className="browse__bar-track" aria-hidden="true">
                    <span
                      className="browse__bar-fill"
                      style={{ width: `${(count / max) * 100}%` }}
                    />
                  </span>
                  <span className="browse__bar-count">
                    {count}
                    <span className="visually-hidden"> photo{count === 1 ? '' : 's'}</span>
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </figure>
      )}
    </div>
  );
}
