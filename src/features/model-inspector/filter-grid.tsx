import { useEffect, useRef } from 'react';
import type { FilterImages } from '../../inference/protocol';

/** Each filter drawn as its own small canvas, enlarged without smoothing (CSS pixelated). */
export function FilterGrid({ filters, layer }: { filters: FilterImages; layer: string }) {
  const grid = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const canvases = grid.current?.querySelectorAll('canvas') ?? [];
    const pixels = new Uint8ClampedArray(filters.rgba);
    const size = filters.width * filters.height * 4;
    canvases.forEach((canvas, f) => {
      const ctx = canvas.getContext('2d');
      if (!ctx) return;
      const image = new ImageData(filters.width, filters.height);
      image.data.set(pixels.subarray(f * size, (f + 1) * size));
      ctx.putImageData(image, 0, 0);
    });
  }, [filters]);

  return (
    <div className="filters" ref={grid} data-testid="filter-grid" data-count={filters.count}>
      {Array.from({ length: filters.count }, (_, f) => (
        <canvas
          key={f}
          width={filters.width}
          height={filters.height}
          role="img"
          aria-label={`${layer} filter ${f + 1}`}
          title={`filter ${f + 1}`}
        />
      ))}
    </div>
  );
}
