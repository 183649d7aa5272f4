import type { Histogram as HistogramData } from '../../inference/protocol';
import { formatStat } from './summary-view';

const WIDTH = 240;
const HEIGHT = 64;

/**
 * A histogram as SVG bars, with the value range under it and a mark at zero. With `log`, bar
 * heights follow log(1 + count), so the tails beside a tall peak stay visible.
 */
export function Histogram({
  histogram,
  label,
  log = false,
}: {
  histogram: HistogramData;
  label: string;
  log?: boolean;
}) {
  const { counts, min, max } = histogram;
  const scale = (n: number): number => (log ? Math.log1p(n) : n);
  const top = Math.max(1e-9, ...counts.map(scale));
  const barWidth = WIDTH / Math.max(1, counts.length);
  const zero = min < 0 && max > 0 ? ((0 - min) / (max - min)) * WIDTH : null;
  const total = counts.reduce((a, b) => a + b, 0);
  return (
    <figure className="histogram">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`Histogram of ${label}: ${total} values in ${counts.length} bins from ${formatStat(min)} to ${formatStat(max)}`}
        data-testid="histogram"
        data-bins={counts.length}
        data-total={total}
        data-scale={log ? 'log' : 'linear'}
      >
        {counts.map((count, i) => {
          // A bar of at least one pixel wherever there is anything, so rare values show.
          const h = count === 0 ? 0 : Math.max(1, (scale(count) / top) * (HEIGHT - 2));
          return (
            <rect
              key={i}
              x={i * barWidth + 0.5}
              y={HEIGHT - h}
              width={Math.max(0.5, barWidth - 1)}
              height={h}
              className="histogram__bar"
            />
          );
        })}
        {zero !== null && (
          <line x1={zero} x2={zero} y1={0} y2={HEIGHT} className="histogram__zero" />
        )}
      </svg>
      <figcaption className="histogram__axis mono">
        <span>{formatStat(min)}</span>
        <span>{formatStat(max)}</span>
      </figcaption>
    </figure>
  );
}
