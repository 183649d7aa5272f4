import { Fragment, useId, useMemo, useState } from 'react';
import type { ModelSummary, SummaryGroup, SummaryRow } from '../../inference/protocol';
import { formatCount, formatShape, searchRows } from './summary-view';

/** The layer table, grouped by Inception block (collapsible) and searchable. */
export function SummaryTable({ summary }: { summary: ModelSummary }) {
  const grouped = summary.groups.length > 1;
  const [query, setQuery] = useState('');
  // Grouped: all closed, except the groups either side of a fine-tuned model's freeze boundary,
  // so where the frozen base ends is in view at once.
  const [open, setOpen] = useState<ReadonlySet<string>>(() => {
    if (!grouped) return new Set(summary.groups.map((g) => g.id));
    const b = summary.freezeBoundary;
    if (b === null) return new Set();
    const around = summary.groups.filter(
      (g) => (b >= g.start && b < g.end) || (b - 1 >= g.start && b - 1 < g.end),
    );
    return new Set(around.map((g) => g.id));
  });
  const hits = useMemo(() => searchRows(summary, query), [summary, query]);
  const searchId = useId();
  const shown = hits === null ? summary.rows.length : hits.size;

  const toggle = (id: string): void =>
    setOpen((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <section className="summary" aria-label="Layers">
      <div className="summary__toolbar">
        <label htmlFor={searchId}>Find a layer</label>
        <input
          id={searchId}
          type="search"
          data-testid="layer-search"
          placeholder={`name, type or input, e.g. ${exampleLayer(summary)} or Conv2D`}
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <span className="muted" aria-live="polite" data-testid="layer-count">
          {hits === null
            ? `${formatCount(summary.rows.length)} layers`
            : `${formatCount(shown)} of ${formatCount(summary.rows.length)} layers match`}
        </span>
        {grouped && hits === null && (
          <>
            <button
              type="button"
              className="button--secondary"
              onClick={() => setOpen(new Set(summary.groups.map((g) => g.id)))}
            >
              Expand all
            </button>
            <button type="button" className="button--secondary" onClick={() => setOpen(new Set())}>
              Collapse all
            </button>
          </>
        )}
      </div>
      {/* Focusable so keyboard users can scroll the wide table sideways. */}
      <div className="summary__scroll" tabIndex={0} role="region" aria-label="Layer table">
        <table className="summary__table" data-testid="summary-table">
          <thead>
            <tr>
              <th scope="col">Layer (type)</th>
              <th scope="col">Output shape</th>
              <th scope="col" className="num">
                Param #
              </th>
              <th scope="col">Connected to</th>
              <th scope="col">Trainable</th>
            </tr>
          </thead>
          {summary.groups.map((group) => {
            const indices = range(group).filter((i) => hits === null || hits.has(i));
            if (hits !== null && indices.length === 0) return null;
            const expanded = hits !== null || open.has(group.id);
            return (
              <tbody key={group.id} data-testid="summary-group" data-group={group.id}>
                {grouped && (
                  <GroupHeader
                    group={group}
                    expanded={expanded}
                    searching={hits !== null}
                    matches={indices.length}
                    hasBoundary={
                      summary.freezeBoundary !== null &&
                      summary.freezeBoundary > group.start &&
                      summary.freezeBoundary < group.end
                    }
                    onToggle={() => toggle(group.id)}
                  />
                )}
                {expanded &&
                  indices.map((i) => (
                    <Fragment key={i}>
                      {i === summary.freezeBoundary && <FreezeDivider />}
                      <Row row={summary.rows[i] as SummaryRow} />
                    </Fragment>
                  ))}
              </tbody>
            );
          })}
        </table>
      </div>
    </section>
  );
}

function range(group: SummaryGroup): number[] {
  return Array.from({ length: group.end - group.start }, (_, k) => group.start + k);
}

function GroupHeader({
  group,
  expanded,
  searching,
  matches,
  hasBoundary,
  onToggle,
}: {
  group: SummaryGroup;
  expanded: boolean;
  searching: boolean;
  matches: number;
  hasBoundary: boolean;
  onToggle: () => void;
}) {
  const count = group.end - group.start;
  const detail = searching
    ? `${matches} of ${count} layers match`
    : `${count} layers, ${formatCount(group.params)} params`;
  return (
    <tr className="summary__group">
      <th colSpan={5} scope="rowgroup">
        <button
          type="button"
          aria-expanded={expanded}
          disabled={searching}
          onClick={onToggle}
          data-testid="group-toggle"
        >
          <span aria-hidden="true">{expanded ? '▾' : '▸'}</span> {group.title}
          <span className="muted"> — {detail}</span>
          {hasBoundary && <span className="chip summary__chip">freeze boundary inside</span>}
        </button>
      </th>
    </tr>
  );
}

function FreezeDivider() {
  return (
    <tr className="summary__freeze" data-testid="freeze-boundary">
      <td colSpan={5}>
        <span aria-hidden="true">▲</span> layers above are frozen (not trained) ·{' '}
        <span aria-hidden="true">▼</span> layers below train
      </td>
    </tr>
  );
}

function Row({ row }: { row: SummaryRow }) {
  return (
    <tr
      className={row.trainable ? 'summary__row' : 'summary__row summary__row--frozen'}
      data-testid="summary-row"
      data-layer={row.name}
      data-trainable={row.trainable}
    >
      <td>
        <span className="mono">{row.name}</span> <span className="muted">({row.type})</span>
      </td>
      <td className="mono">{formatShape(row.outputShape)}</td>
      <td className="num mono" title={paramsTitle(row)}>
        {formatCount(row.params)}
      </td>
      <td className="mono">
        {row.connectedTo.map((c, k) => (
          <div key={k}>{c}</div>
        ))}
      </td>
      {/* An input layer has nothing to train (Keras prints Y, TensorFlow.js says false). */}
      <td>{row.type === 'InputLayer' ? '–' : row.trainable ? 'Y' : 'N'}</td>
    </tr>
  );
}

function paramsTitle(row: SummaryRow): string | undefined {
  if (row.params === 0) return undefined;
  return `${formatCount(row.trainableParams)} trainable, ${formatCount(row.nonTrainableParams)} non-trainable`;
}

/** A layer name from the middle of this model, for the search box's example. */
function exampleLayer(summary: ModelSummary): string {
  const groups = summary.groups.filter((g) => !['stem', 'head', 'layers'].includes(g.id));
  const middle = groups[Math.floor(groups.length / 2)];
  return middle?.id ?? summary.rows[Math.floor(summary.rows.length / 2)]?.name ?? 'conv2d_1';
}
