import { useEffect, useRef } from 'react';
import type { GradCamResult } from '../../inference/protocol';
import type { ResizeMode } from '../../preprocess/geometry';
import { describePlace, gridToRgba, overlayBox, peakOf } from './heatmap';

/** Pixels of the overlay canvas; CSS stretches it over the photo. */
const OVERLAY_SIZE = 256;

/**
 * The photo with the Grad-CAM grid drawn over the part the model saw: the coarse grid is put on a
 * tiny canvas and scaled up with smoothing, which gives the soft look of an upsampled heatmap.
 */
export function HeatmapView({
  imageUrl,
  alt,
  sourceWidth,
  sourceHeight,
  mode,
  result,
  opacity,
}: {
  imageUrl: string;
  alt: string;
  sourceWidth: number;
  sourceHeight: number;
  mode: ResizeMode;
  result: GradCamResult | null;
  opacity: number;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const box = overlayBox(sourceWidth, sourceHeight, mode);

  useEffect(() => {
    const target = canvas.current;
    const ctx = target?.getContext('2d');
    if (!target || !ctx) return;
    ctx.clearRect(0, 0, target.width, target.height);
    if (!result) return;
    const small = document.createElement('canvas');
    small.width = result.width;
    small.height = result.height;
    const smallCtx = small.getContext('2d');
    if (!smallCtx) return;
    const image = new ImageData(result.width, result.height);
    image.data.set(gridToRgba(result.grid, result.width, result.height));
    smallCtx.putImageData(image, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(small, 0, 0, target.width, target.height);
  }, [result]);

  const peak = result ? peakOf(result.grid, result.width) : null;
  const place =
    result && peak && result.rawMax > 0
      ? describePlace(peak.x, peak.y, result.width, result.height)
      : null;

  return (
    <figure className="heatmap">
      <div
        className="heatmap__frame"
        style={{ aspectRatio: `${sourceWidth} / ${sourceHeight}` }}
        data-testid="heatmap"
        data-state={result ? 'ready' : 'pending'}
        data-layer={result?.layer ?? ''}
        data-class-index={result?.classIndex ?? ''}
        data-grid={result ? `${result.width}x${result.height}` : ''}
        data-peak={peak ? `${peak.x},${peak.y}` : ''}
      >
        <img src={imageUrl} alt={alt} />
        <canvas
          ref={canvas}
          width={OVERLAY_SIZE}
          height={OVERLAY_SIZE}
          className="heatmap__overlay"
          data-testid="heatmap-overlay"
          aria-hidden="true"
          style={{
            left: `${box.left}%`,
            top: `${box.top}%`,
            width: `${box.width}%`,
            height: `${box.height}%`,
            opacity: result ? opacity : 0,
          }}
        />
      </div>
      <figcaption className="muted">
        {place ? `The model looked most at the ${place} of the photo.` : '\u00a0'}
      </figcaption>
    </figure>
  );
}
