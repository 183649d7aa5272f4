/**
 * The `dataset` suite of `npm run bench -- --suite=dataset [--dataset-photos=2000]`: Teach on a
 * generated dataset (N photos in 5 class folders), head only on the app's default model, in the
 * real app: feature extraction (import) in photos/s, time per epoch, the JS heap (page and
 * workers) after; then the same dataset trained a second time (features reused from memory) and
 * after a reload (features reused from IndexedDB). Timings are measurements, never assertions.
 */
import type { Browser, Page } from '@playwright/test';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';

/** What the suite measured. */
export interface DatasetBench {
  photos: number;
  classes: number;
  model: string;
  backend: string;
  epochs: number;
  importMs: number;
  /** photos read, hashed, decoded and run through the frozen base per second */
  extractionPhotosPerSec: number;
  /** the same app classifying 16 of the generated photos in Classify, photos/s (for comparison) */
  classifyPhotosPerSec: number;
  firstTrain: TrainMeasure;
  secondTrain: TrainMeasure;
  afterReload: TrainMeasure;
  /** JS heap of the page and its workers (measureUserAgentSpecificMemory), bytes */
  /** the same, in Teach with the model loaded and no dataset yet: what the dataset adds is the rest */
  heapBeforeImportBytes: number | null;
  heapAfterImportBytes: number | null;
  heapAfterTrainBytes: number | null;
  /** the heap before and after the import by realm ("Window", "DedicatedWorkerGlobalScope …"), bytes */
  heapByRealm?: { beforeImport: Record<string, number>; afterImport: Record<string, number> };
}

/** One training run as measured. */
export interface TrainMeasure {
  totalMs: number;
  epochMs: number;
  featuresReused: number;
  featuresComputed: number;
  valAccuracy: number;
}

/** Issue 14's target layout: 10 classes. */
export const DEFAULT_DATASET_CLASSES = 10;

/** Writes `count` 96 × 96 PNGs in `classes` class folders (colour per class, noise, a disc). */
function generate(dir: string, count: number, classes: number): void {
  rmSync(dir, { recursive: true, force: true });
  let seed = 12345;
  const next = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  for (let i = 0; i < count; i++) {
    const k = i % classes;
    const folder = join(dir, `class_${k}`);
    mkdirSync(folder, { recursive: true });
    const size = 96;
    const png = new PNG({ width: size, height: size });
    const base = [((k * 51) % 256) + 0, (k * 97) % 256, (((255 - k * 40) % 256) + 256) % 256];
    const cx = next() * size;
    const cy = next() * size;
    for (let p = 0; p < size * size; p++) {
      const x = p % size;
      const y = Math.floor(p / size);
      const lift = (x - cx) ** 2 + (y - cy) ** 2 < 300 ? 60 : 0;
      for (let c = 0; c < 3; c++) {
        png.data[p * 4 + c] = Math.max(
          0,
          Math.min(255, (base[c] ?? 0) + lift + (next() - 0.5) * 60),
        );
      }
      png.data[p * 4 + 3] = 255;
    }
    writeFileSync(join(folder, `${i}.png`), PNG.sync.write(png));
  }
}

/** The page's and its workers' memory, in all and by realm (which tells page from worker). */
async function heapMeasure(
  page: Page,
): Promise<{ bytes: number; byRealm: Record<string, number> } | null> {
  return page.evaluate(async () => {
    interface Entry {
      bytes: number;
      attribution: { url?: string; scope?: string }[];
    }
    const measure = (
      performance as Performance & {
        measureUserAgentSpecificMemory?: () => Promise<{ bytes: number; breakdown: Entry[] }>;
      }
    ).measureUserAgentSpecificMemory;
    if (!measure) return null;
    try {
      const result = await measure.call(performance);
      const byRealm: Record<string, number> = {};
      for (const entry of result.breakdown) {
        const where = entry.attribution[0];
        const name = where
          ? `${where.scope ?? '?'} ${(where.url ?? '').split('/').pop() ?? ''}`.trim()
          : 'shared';
        byRealm[name] = (byRealm[name] ?? 0) + entry.bytes;
      }
      return { bytes: result.bytes, byRealm };
    } catch {
      return null;
    }
  });
}

async function heap(page: Page): Promise<number | null> {
  return (await heapMeasure(page))?.bytes ?? null;
}

/** Photos per second of Classify on the first `count` generated photos (input → every card). */
async function classifyThroughput(
  page: Page,
  dir: string,
  count: number,
  classes: number,
): Promise<number> {
  const files: string[] = [];
  for (let i = 0; i < count; i++) files.push(join(dir, `class_${i % classes}`, `${i}.png`));
  await page.getByRole('tab', { name: 'Classify' }).click();
  await page.getByTestId('drop-zone').waitFor();
  const t0 = Date.now();
  await page.locator('input[type=file][multiple]').first().setInputFiles(files);
  await page
    .locator(
      '[data-testid=image-card][data-status=done],[data-testid=image-card][data-status=error]',
    )
    .nth(count - 1)
    .waitFor({ timeout: 600_000 });
  return (count * 1000) / (Date.now() - t0);
}

/** Waits for the dataset's progress to go, logging its text each minute (long imports). */
async function untilDone(page: Page, timeout: number, log: (line: string) => void): Promise<void> {
  const progress = page.getByTestId('dataset-progress');
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    try {
      await progress.waitFor({ state: 'detached', timeout: 60_000 });
      return;
    } catch {
      const text = await progress.innerText().catch(() => '');
      log(`dataset:   ${text.replace(/\s+/g, ' ').trim()}`);
    }
  }
  throw new Error(`the dataset's progress did not end within ${timeout} ms`);
}

async function openTeach(page: Page, url: string, timeout: number): Promise<string> {
  await page.goto(url);
  await page.locator('[data-testid=model-status][data-state=ready]').waitFor({ timeout });
  const backend = (await page.getByTestId('model-status').getAttribute('data-backend')) ?? '';
  await page.getByRole('tab', { name: 'Teach' }).click();
  await page.getByTestId('dataset-section').waitFor();
  return backend;
}

async function train(page: Page, timeout: number): Promise<TrainMeasure> {
  const t0 = Date.now();
  await page.getByTestId('train-button').click();
  await page.getByTestId('dataset-progress').waitFor({ state: 'visible', timeout: 30_000 });
  await page.getByTestId('dataset-progress').waitFor({ state: 'detached', timeout });
  const totalMs = Date.now() - t0;
  const error = page.getByTestId('dataset-error');
  if ((await error.count()) > 0) throw new Error(`training failed: ${await error.innerText()}`);
  const acc = page.getByTestId('val-accuracy');
  const features = page.getByTestId('dataset-features');
  return {
    totalMs,
    epochMs: Number(await acc.getAttribute('data-epoch-ms')),
    valAccuracy: Number(await acc.getAttribute('data-value')),
    featuresReused: Number(await features.getAttribute('data-reused')),
    featuresComputed: Number(await features.getAttribute('data-computed')),
  };
}

/** Runs the suite in a fresh browser profile against the app at `origin`. */
export async function runDatasetSuite(
  browser: Browser,
  origin: string,
  photos: number,
  log: (line: string) => void,
  classes = DEFAULT_DATASET_CLASSES,
): Promise<DatasetBench> {
  const dir = join(os.tmpdir(), `lens-dataset-bench-${photos}-${classes}`);
  log(`dataset: generating ${photos} photos in ${classes} classes under ${dir}…`);
  generate(dir, photos, classes);
  // Generous: on a loaded 2-core machine InceptionV3 extracted 0.4 photos/s (2.5 s a photo), and
  // a bench must not give up because the machine is slow.
  const timeout = Math.max(600_000, photos * 10_000);
  const context = await browser.newContext({ baseURL: origin });
  const page = await context.newPage();
  try {
    const url = '/?backend=wasm';
    await page.goto(url);
    await page
      .locator('[data-testid=model-status][data-state=ready]')
      .waitFor({ timeout: 300_000 });
    log('dataset: classifying 16 of the photos for comparison…');
    const classifyPhotosPerSec = await classifyThroughput(page, dir, 16, classes);
    log(`dataset: Classify: ${classifyPhotosPerSec.toFixed(2)} photos/s`);
    const backend = await openTeach(page, url, 300_000);
    const epochs = 5;
    const before = await heapMeasure(page);
    const heapBeforeImportBytes = before?.bytes ?? null;
    log(`dataset: importing (${backend})…`);
    const t0 = Date.now();
    await page.getByTestId('dataset-import').setInputFiles(dir);
    await page.getByTestId('dataset-progress').waitFor({ state: 'visible', timeout: 60_000 });
    await untilDone(page, timeout, log);
    const importMs = Date.now() - t0;
    const cards = await page.getByTestId('class-card').count();
    if (cards !== classes) throw new Error(`expected ${classes} class cards, saw ${cards}`);
    const after = await heapMeasure(page);
    const heapAfterImportBytes = after?.bytes ?? null;
    await page.getByTestId('dataset-advanced').locator('summary').click();
    await page.getByTestId('dataset-epochs').fill(String(epochs));
    log(`dataset: imported in ${(importMs / 1000).toFixed(1)} s; training ${epochs} epochs…`);
    const firstTrain = await train(page, timeout);
    const heapAfterTrainBytes = await heap(page);
    log('dataset: second run…');
    const secondTrain = await train(page, timeout);
    log('dataset: after a reload…');
    await openTeach(page, url, 300_000);
    await page.getByTestId('dataset-advanced').locator('summary').click();
    await page.getByTestId('dataset-epochs').fill(String(epochs));
    const afterReload = await train(page, timeout);
    return {
      photos,
      classes,
      model: 'the default model (InceptionV3 at models/inception-v3/)',
      backend,
      epochs,
      importMs,
      extractionPhotosPerSec: (photos * 1000) / importMs,
      classifyPhotosPerSec,
      firstTrain,
      secondTrain,
      afterReload,
      heapBeforeImportBytes,
      heapAfterImportBytes,
      heapAfterTrainBytes,
      ...(before && after
        ? { heapByRealm: { beforeImport: before.byRealm, afterImport: after.byRealm } }
        : {}),
    };
  } finally {
    await context.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The suite's results as a Markdown table. */
export function datasetTable(r: DatasetBench): string {
  const mb = (b: number | null): string => (b === null ? 'n/a' : `${(b / 1e6).toFixed(0)} MB`);
  const row = (name: string, m: TrainMeasure): string =>
    `| ${name} | ${(m.totalMs / 1000).toFixed(1)} s | ${m.epochMs.toFixed(0)} ms | ${m.featuresReused} / ${m.featuresComputed} | ${(m.valAccuracy * 100).toFixed(1)} % |`;
  return [
    `Dataset: ${r.photos} photos in ${r.classes} classes, head only, ${r.epochs} epochs, ${r.backend}.`,
    `Import (read, hash, decode, features): ${(r.importMs / 1000).toFixed(1)} s = ${r.extractionPhotosPerSec.toFixed(2)} photos/s (Classify on 16 of the same photos: ${r.classifyPhotosPerSec.toFixed(2)} photos/s); JS heap (page + workers) before import ${mb(r.heapBeforeImportBytes)}, after import ${mb(r.heapAfterImportBytes)}, after training ${mb(r.heapAfterTrainBytes)}.`,
    ...(r.heapByRealm
      ? [
          `By realm, before → after the import: ${Object.keys({
            ...r.heapByRealm.beforeImport,
            ...r.heapByRealm.afterImport,
          })
            .map(
              (k) =>
                `${k} ${mb(r.heapByRealm?.beforeImport[k] ?? 0)} → ${mb(r.heapByRealm?.afterImport[k] ?? 0)}`,
            )
            .join('; ')}.`,
        ]
      : []),
    '',
    '| run | total | per epoch | features reused / computed | val. accuracy |',
    '| --- | --- | --- | --- | --- |',
    row('first', r.firstTrain),
    row('second (same session)', r.secondTrain),
    row('after a reload', r.afterReload),
  ].join('\n');
}
