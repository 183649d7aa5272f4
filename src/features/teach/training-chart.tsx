import {
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { useEffect, useRef } from 'react';
import type { EpochLog } from '../../inference/protocol';

// Only what a line chart needs, so the bundle carries no other chart types.
Chart.register(
  LineController,
  LineElement,
  PointElement,
  LinearScale,
  CategoryScale,
  Legend,
  Tooltip,
);

const SERIES = [
  { label: 'loss', key: 'loss', axis: 'loss', color: '#1d4ed8', dash: [] },
  { label: 'validation loss', key: 'valLoss', axis: 'loss', color: '#1d4ed8', dash: [6, 4] },
  { label: 'accuracy', key: 'accuracy', axis: 'accuracy', color: '#027a48', dash: [] },
  {
    label: 'validation accuracy',
    key: 'valAccuracy',
    axis: 'accuracy',
    color: '#027a48',
    dash: [6, 4],
  },
] as const;

/**
 * Loss and accuracy per epoch, for training and validation, drawn with Chart.js; new epochs are
 * appended to the same chart (no animation, so a long run stays cheap to draw).
 */
export function TrainingChart({ logs }: { logs: readonly EpochLog[] }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<'line', (number | null)[], number> | null>(null);

  useEffect(() => {
    if (!canvas.current) return;
    chart.current = new Chart(canvas.current, {
      type: 'line',
      data: {
        labels: [],
        datasets: SERIES.map((s) => ({
          label: s.label,
          data: [],
          yAxisID: s.axis,
          borderColor: s.color,
          backgroundColor: s.color,
          borderDash: [...s.dash],
          pointRadius: 2,
          spanGaps: true,
        })),
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        scales: {
          x: { title: { display: true, text: 'epoch' } },
          loss: {
            type: 'linear',
            position: 'left',
            title: { display: true, text: 'loss' },
            min: 0,
          },
          accuracy: {
            type: 'linear',
            position: 'right',
            min: 0,
            max: 1,
            title: { display: true, text: 'accuracy' },
            grid: { drawOnChartArea: false },
          },
        },
      },
    });
    return () => {
      chart.current?.destroy();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    c.data.labels = logs.map((l) => l.epoch);
    SERIES.forEach((s, i) => {
      const dataset = c.data.datasets[i];
      if (dataset) dataset.data = logs.map((l) => l[s.key]);
    });
    c.update('none');
  }, [logs]);

  return (
    <div className="teach-chart" data-testid="teach-chart" data-epochs={logs.length}>
      <canvas
        ref={canvas}
        role="img"
        aria-label={
          logs.length === 0
            ? 'Loss and accuracy per epoch (no epochs yet)'
            : `Loss and accuracy per epoch; after epoch ${logs.length}: loss ${logs[logs.length - 1]?.loss.toFixed(3)}`
        }
      />
    </div>
  );
}
