/**
 * Chromium's file-fed fake camera for the specs that film something known: one RGBA frame written
 * as a Y4M video (raw 4:2:0 frames; its MJPEG reader showed only green here) and a browser launched
 * to film it, with the permission prompt answered.
 */
import { chromium, type Browser } from '@playwright/test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM_ARGS } from '../playwright.config';

/** One RGBA frame: `data` holds width × height × 4 bytes. */
export interface RgbaFrame {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A one-frame Y4M video (4:2:0, BT.601 full range), cropped to even sides, chroma averaged 2 × 2. */
export function y4mOf({ width, height, data }: RgbaFrame): Buffer {
  const w = width & ~1;
  const h = height & ~1;
  const y = Buffer.alloc(w * h);
  const u = Buffer.alloc((w / 2) * (h / 2));
  const v = Buffer.alloc((w / 2) * (h / 2));
  const clamp = (n: number) => Math.max(0, Math.min(255, Math.round(n)));
  const rgb = (px: number, py: number) => {
    const i = (py * width + px) * 4;
    return [data[i] ?? 0, data[i + 1] ?? 0, data[i + 2] ?? 0] as const;
  };
  for (let py = 0; py < h; py++) {
    for (let px = 0; px < w; px++) {
      const [r, g, b] = rgb(px, py);
      y[py * w + px] = clamp(0.299 * r + 0.587 * g + 0.114 * b);
    }
  }
  for (let py = 0; py < h / 2; py++) {
    for (let px = 0; px < w / 2; px++) {
      let [r, g, b] = [0, 0, 0];
      for (const [dx, dy] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ] as const) {
        const [pr, pg, pb] = rgb(2 * px + dx, 2 * py + dy);
        r += pr / 4;
        g += pg / 4;
        b += pb / 4;
      }
      u[py * (w / 2) + px] = clamp(128 - 0.168736 * r - 0.331264 * g + 0.5 * b);
      v[py * (w / 2) + px] = clamp(128 + 0.5 * r - 0.418688 * g - 0.081312 * b);
    }
  }
  const header = `YUV4MPEG2 W${w} H${h} F30:1 Ip A1:1 C420jpeg\nFRAME\n`;
  return Buffer.concat([Buffer.from(header), y, u, v]);
}

/** A Chromium whose camera films `frame` without end (the caller closes it). */
export function launchWithFakeCamera(frame: RgbaFrame): Promise<Browser> {
  const video = join(mkdtempSync(join(tmpdir(), 'lens-camera-')), 'frame.y4m');
  writeFileSync(video, y4mOf(frame));
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      ...CHROMIUM_ARGS,
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`,
    ],
  });
}
