/**
 * The Keras applications zoo in the app: `?model=<name>&weights=random` builds an architecture in
 * the worker (nothing downloaded) and classifies with it; Inspect's totals equal Keras' counts
 * from the zoo table; an unknown name is an error at once; Compare runs two models on the same
 * photos and exports the table as CSV. Random weights keep these runs free of any download.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import {
  card,
  labelsOf,
  needsSharedFixtures,
  openApp,
  photo,
  routeSharedMobileNet,
} from './helpers';

/** Keras' model.summary() counts (src/models/zoo/catalog.ts, checked by the unit tests). */
const KERAS_COUNTS = {
  resnet50: { total: 25_636_712, trainable: 25_583_592, nonTrainable: 53_120 },
  mobilenetv2: { total: 3_538_984, trainable: 3_504_872, nonTrainable: 34_112 },
  'mobilenet-0.75': { total: 2_601_976, trainable: 2_585_560, nonTrainable: 16_416 },
} as const;

async function expectTotals(page: Page, name: keyof typeof KERAS_COUNTS): Promise<void> {
  await page.getByRole('tab', { name: 'Inspect' }).click();
  const totals = page.getByTestId('summary-totals');
  const counts = KERAS_COUNTS[name];
  await expect(totals).toHaveAttribute('data-total', String(counts.total));
  await expect(totals).toHaveAttribute('data-trainable', String(counts.trainable));
  await expect(totals).toHaveAttribute('data-non-trainable', String(counts.nonTrainable));
}

test.describe('the zoo', () => {
  needsSharedFixtures();

  test('?model=mobilenetv2&weights=random builds it in the worker and classifies a photo', async ({
    page,
  }) => {
    const downloads: string[] = [];
    page.on('request', (r) => {
      // The Models list asks with HEAD whether weights are there; a download is a GET.
      if (r.method() === 'GET' && /\/models\/.*(model\.json|shard|\.bin)/.test(r.url())) {
        downloads.push(r.url());
      }
    });
    await openApp(page, { model: 'mobilenetv2', weights: 'random', backend: 'wasm' });
    await expect(page.getByTestId('model-status')).toContainText('MobileNetV2 (random weights)');
    await page
      .locator('input[type=file][multiple]')
      .first()
      .setInputFiles([photo('dog.jpg')]);
    await expect(card(page, 'dog.jpg')).toHaveAttribute('data-status', 'done');
    await expect(card(page, 'dog.jpg').getByTestId('prediction')).toHaveCount(3);
    expect(downloads, 'nothing is downloaded for a random-weight model').toEqual([]);
    await expectTotals(page, 'mobilenetv2');
    // The summary is grouped into MobileNetV2's blocks, by Keras' names.
    await expect(
      page.locator('[data-testid=summary-group][data-group="block_16_project_BN"]'),
    ).toHaveCount(1);
  });

  test("Inspect's totals for ResNet50 equal Keras' summary()", async ({ page }) => {
    await openApp(page, { model: 'resnet50', weights: 'random', backend: 'wasm' });
    await expectTotals(page, 'resnet50');
    await expect(
      page.locator('[data-testid=summary-group][data-group="conv5_block3_out"]'),
    ).toHaveCount(1);
  });

  test('?model=mobilenet-0.75 with real ImageNet weights gives the reference top-1 on the shared photos', async ({
    page,
  }) => {
    // The app's default place for it, models/mobilenet-0.75/, answered from the shared Keras
    // export (nothing is copied into the build; weights are never committed).
    const served = await routeSharedMobileNet(page);
    await openApp(page, { model: 'mobilenet-0.75', backend: 'wasm' });
    await expect(page.getByTestId('model-status')).toContainText('MobileNet (α 0.75) (ImageNet)');
    expect(served, 'the model came from models/mobilenet-0.75/').toContain('model.json');
    expect(served.filter((f) => f.includes('shard')).length).toBeGreaterThan(50);
    await page
      .locator('input[type=file][multiple]')
      .first()
      .setInputFiles([photo('dog.jpg'), photo('eagle.jpg'), photo('giraffe.jpg')]);
    // Top-1 of the reference logits (../shared/README.md: TF.js on the CPU, the same weights).
    for (const [file, top1] of [
      ['dog.jpg', 'malamute'],
      ['giraffe.jpg', 'zebra'],
    ] as const) {
      await expect(card(page, file)).toHaveAttribute('data-status', 'done');
      expect((await labelsOf(page, file))[0], file).toContain(top1);
    }
    // The eagle's reference is kite 0.34 before bald eagle 0.23; the browser's resize (not the
    // model) can swap such a close pair, so only both being on top is asserted.
    await expect(card(page, 'eagle.jpg')).toHaveAttribute('data-status', 'done');
    const eagle = (await labelsOf(page, 'eagle.jpg')).slice(0, 2).join(' | ');
    expect(eagle).toContain('kite');
    expect(eagle).toContain('bald eagle');
    // The Keras 2.1.4 export counts as Keras' MobileNet(alpha=0.75) does.
    await expectTotals(page, 'mobilenet-0.75');
  });

  test('"Why?" on EfficientNetB0: Grad-CAM at its last spatial layer, feature maps of its blocks', async ({
    page,
  }) => {
    await openApp(page, { model: 'efficientnetb0', weights: 'random', backend: 'wasm' });
    await page
      .locator('input[type=file][multiple]')
      .first()
      .setInputFiles([photo('dog.jpg')]);
    await expect(card(page, 'dog.jpg')).toHaveAttribute('data-status', 'done');
    await card(page, 'dog.jpg').getByTestId('explain-button').click();
    const dialog = page.getByTestId('explain-dialog');
    const heatmap = dialog.getByTestId('heatmap');
    await expect(heatmap).toHaveAttribute('data-state', 'ready');
    await expect(heatmap).toHaveAttribute('data-layer', 'top_activation');
    const maps = dialog.getByTestId('feature-maps');
    // the deepest block still 14 × 14 (block5c, 112 channels)
    await expect(maps).toHaveAttribute('data-layer', 'block5c_add');
    await expect(maps.getByTestId('feature-map-tile')).toHaveCount(64);
    // Another block's maps (Grad-CAM at other EfficientNet blocks is checked against tf.grad in
    // grad-cam.test.ts: at 224 × 224, block6d_add's did not finish within a minute on 2 loaded cores)
    await dialog.getByTestId('feature-maps-layer').selectOption('block3b_add');
    await expect(maps).toHaveAttribute('data-layer', 'block3b_add');
    const sizes = await maps
      .getByTestId('feature-map-tile')
      .evaluateAll((els) => els.map((el) => `${(el as HTMLCanvasElement).width}`));
    expect(new Set(sizes)).toEqual(new Set(['28']));
    await page.keyboard.press('Escape');
    await expect(dialog).toHaveCount(0);
  });

  test('an unknown model name ends in an error at once', async ({ page }) => {
    await page.goto('/?model=resnet51');
    const status = page.getByTestId('model-status');
    await expect(status).toHaveAttribute('data-state', 'error', { timeout: 5_000 });
    await expect(status).toContainText('resnet51');
    await expect(status).toContainText('mobilenetv2');
  });

  test('Compare runs two random-weight models on the same photos: a table and a CSV', async ({
    page,
  }) => {
    await openApp(page, { model: 'mobilenet-0.25', weights: 'random', backend: 'wasm' });
    await page.getByRole('tab', { name: 'Compare' }).click();
    await page.getByTestId('compare-random').check();
    await page.locator('[data-testid=compare-model][value="mobilenet-0.25"]').check();
    await page.locator('[data-testid=compare-model][value="mobilenet-0.5"]').check();
    await page.getByTestId('compare-files').setInputFiles([photo('dog.jpg'), photo('eagle.jpg')]);
    await page.getByTestId('compare-run').click();
    const table = page.getByTestId('compare-table');
    await expect(table).toHaveAttribute('data-models', '2', { timeout: 120_000 });
    await expect(table).toHaveAttribute('data-photos', '2');
    await expect(table.getByTestId('compare-row')).toHaveCount(2);
    await expect(table.getByTestId('compare-cell').locator('li')).toHaveCount(2 * 2 * 3);
    for (const cell of await table.getByTestId('compare-photo-ms').all()) {
      expect(Number(await cell.getAttribute('data-ms'))).toBeGreaterThan(0);
    }
    for (const cell of await table.getByTestId('compare-agreement').all()) {
      const overlap = Number(await cell.getAttribute('data-top3-overlap'));
      expect(overlap).toBeGreaterThanOrEqual(0);
      expect(overlap).toBeLessThanOrEqual(3);
    }
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('compare-csv').click(),
    ]);
    const csv = readFileSync((await download.path()) ?? '', 'utf8')
      .trimEnd()
      .split('\r\n');
    expect(csv[0]).toBe(
      'photo,model,rank,class_index,label,probability,same_top1,top3_overlap,ms_per_photo,load_ms,error',
    );
    // two photos × two models × top-3
    expect(csv).toHaveLength(1 + 2 * 2 * 3);
    expect(
      csv.filter((l) => l.startsWith('eagle.jpg,MobileNet (α 0.5) (random weights),')),
    ).toHaveLength(3);
  });
});
