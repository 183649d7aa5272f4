/**
 * Bring-your-own weights in the page ("Models" view): a Keras .h5 dropped and converted in the
 * worker, a TensorFlow.js folder (written by `npm run model:fetch`) picked, a folder dropped, a URL;
 * bad files refused by name while the previous model keeps working; and, with the model host
 * blocked, a reload that still finds the stored models in IndexedDB and classifies with them.
 *
 * The InceptionV3 fixture is our model with nsfwjs' real Keras weights and a seeded random top,
 * written in Keras' own save_weights layout. It is imported at float16 (the default: half the
 * ≈91 MB of float32, so converting and storing it stays quick here); float32 exactness of the
 * same conversion code is proven in the unit tests. The Node script converts the same file at
 * float16 too, so the page's conversion and the script's must give the same answers.
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  card,
  emptyClassifyView,
  MOBILENET_URL,
  openApp,
  photo,
  needsSharedFixtures,
} from './helpers';
import { FIXTURE_ORIGIN, GENERATED_DIR, ROOT, SHARED_DIR } from './paths';

const H5_DIR = join(GENERATED_DIR, 'keras-h5');
const H5 = {
  top: join(H5_DIR, 'inception-v3-top.h5'),
  truncated: join(H5_DIR, 'inception-v3-truncated.h5'),
  missing: join(H5_DIR, 'inception-v3-missing-layer.h5'),
  shape: join(H5_DIR, 'inception-v3-wrong-shape.h5'),
};
/** The same .h5 converted by `npm run model:fetch` (float16, with metadata.json and hashes). */
const NODE_FOLDER = join(GENERATED_DIR, 'inception-v3-keras-f16');
const MOBILENET_FILES = `${FIXTURE_ORIGIN}/shared/models/mobilenet_v1_0.75_224`;

/**
 * Drops files onto the Models view's drop zone the way a browser delivers a drop from a file
 * manager (a DataTransfer of File objects); the page fetches their bytes from the fixture server.
 */
async function dropFiles(page: Page, urls: string[]): Promise<void> {
  await page.getByTestId('model-drop').evaluate(async (zone, list) => {
    const data = new DataTransfer();
    for (const url of list) {
      const blob = await (await fetch(url)).blob();
      data.items.add(new File([blob], decodeURIComponent(url.split('/').pop()!)));
    }
    zone.dispatchEvent(
      new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }),
    );
  }, urls);
}

function tsx(args: string[]): void {
  execFileSync(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, stdio: 'inherit' });
}

test.describe.configure({ mode: 'serial' });

test.describe('bring your own weights', () => {
  needsSharedFixtures();

  let context: BrowserContext;
  let page: Page;
  /** Top-3 of the dog photo with the InceptionV3 converted in the page. */
  let pageTop3: { label: string; probability: number }[] = [];

  test.beforeAll(async ({ browser }) => {
    test.setTimeout(180_000);
    const kinds: [string, string[]][] = [
      [H5.top, []],
      [H5.truncated, ['--damage', 'truncate']],
      [H5.missing, ['--damage', 'missing-layer']],
      [H5.shape, ['--damage', 'wrong-shape']],
    ];
    for (const [path, args] of kinds) {
      if (!existsSync(path)) tsx(['scripts/keras-h5-fixture.ts', path, ...args]);
    }
    // Idempotent: does nothing when the folder is there and verifies.
    tsx([
      'scripts/model-fetch.ts',
      '--from',
      H5.top,
      '--quantize',
      'float16',
      '--out',
      NODE_FOLDER,
    ]);
    context = await browser.newContext();
    page = await context.newPage();
  });

  test.afterAll(async () => {
    await context?.close();
  });

  const status = () => page.getByTestId('model-status');
  const models = () => page.getByRole('tab', { name: 'Models' }).click();

  async function top3(name: string): Promise<{ label: string; probability: number }[]> {
    await emptyClassifyView(page);
    await page.locator('input[type=file][multiple]').setInputFiles([{ ...photo('dog.jpg'), name }]);
    await expect(card(page, name)).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
    return card(page, name)
      .getByTestId('prediction')
      .evaluateAll((els) =>
        els.map((el) => ({
          label: el.getAttribute('data-label') ?? '',
          probability: Number(el.getAttribute('data-probability')),
        })),
      );
  }

  test('a Keras .h5 is converted in the page; truncated, incomplete and misshapen files are refused by name', async () => {
    test.setTimeout(180_000);
    await openApp(page, { model: MOBILENET_URL, backend: 'wasm' });
    await expect(status()).toContainText('mobilenet_v1_0.75_224 ready');
    await models();
    const h5Input = page.getByTestId('h5-input');
    const error = page.getByTestId('import-error');

    await h5Input.setInputFiles(H5.truncated);
    await expect(error).toContainText('inception-v3-truncated.h5 is truncated: it has');
    await h5Input.setInputFiles(H5.missing);
    await expect(error).toContainText('layer batch_normalization_5 is missing');
    await h5Input.setInputFiles(H5.shape);
    await expect(error).toContainText(
      'layer conv2d_5: conv2d_5/kernel:0 has shape [3,3,192,80] in the file, but InceptionV3 with the top expects [3,3,80,192]',
    );
    await expect(page.getByTestId('stored-model')).toHaveCount(0);
    // The model that worked before is still the active one, and still classifies.
    await expect(status()).toContainText('mobilenet_v1_0.75_224 ready');
    expect((await top3('dog-mobilenet.jpg'))[0]!.label).toContain('malamute');

    await models();
    await expect(page.getByTestId('precision-select')).toHaveValue('float16');
    // The good file is dropped, as a person would drag it from a file manager.
    await dropFiles(page, [`${FIXTURE_ORIGIN}/generated/keras-h5/inception-v3-top.h5`]);
    await expect(page.getByTestId('import-progress')).toBeVisible();
    await expect(page.getByTestId('import-error')).toHaveCount(0);
    const stored = page.locator('[data-testid=stored-model][data-name="inception-v3-top"]');
    await expect(stored).toHaveCount(1, { timeout: 120_000 });
    await expect(stored).toContainText(
      '45.5 MB · float16 · 1000 outputs · opened inception-v3-top.h5',
    );
    await expect(status()).toContainText('inception-v3-top ready', { timeout: 120_000 });
    await expect(status()).toContainText('299×299 input · 1000 classes · 23.9 M parameters');
    pageTop3 = await top3('dog-h5.jpg');
    expect(pageTop3).toHaveLength(3);
  });

  test('a tfjs folder from model:fetch is checked and kept, and answers exactly like the page’s conversion', async () => {
    test.setTimeout(120_000);
    expect(readdirSync(NODE_FOLDER)).toContain('metadata.json');
    await models();
    await page.getByTestId('folder-input').setInputFiles(NODE_FOLDER);
    const stored = page.locator('[data-testid=stored-model][data-name="InceptionV3 (ImageNet)"]');
    await expect(stored).toHaveCount(1, { timeout: 90_000 });
    await expect(stored).toContainText(
      '45.5 MB · float16 · 1000 outputs · opened inception-v3-keras-f16',
    );
    await expect(status()).toContainText('InceptionV3 (ImageNet) ready', { timeout: 90_000 });
    const nodeTop3 = await top3('dog-folder.jpg');
    expect(nodeTop3.map((p) => p.label)).toEqual(pageTop3.map((p) => p.label));
    nodeTop3.forEach((p, i) =>
      expect(Math.abs(p.probability - pageTop3[i]!.probability)).toBeLessThan(1e-6),
    );
  });

  test('a folder dropped onto the page and a model URL are kept too', async () => {
    test.setTimeout(120_000);
    await models();
    // Drop MobileNet's files (model.json, metadata.json, 55 weight files).
    const manifest = JSON.parse(
      readFileSync(join(SHARED_DIR, 'models/mobilenet_v1_0.75_224/model.json'), 'utf8'),
    ) as { weightsManifest: { paths: string[] }[] };
    const names = [
      'model.json',
      'metadata.json',
      ...manifest.weightsManifest.flatMap((g) => g.paths),
    ];
    await dropFiles(
      page,
      names.map((name) => `${MOBILENET_FILES}/${name}`),
    );
    await expect(page.locator('[data-testid=stored-model][data-name="model"]')).toHaveCount(1, {
      timeout: 60_000,
    });
    await expect(status()).toContainText('model ready');
    expect((await top3('dog-dropped.jpg'))[0]!.label).toContain('malamute');

    await models();
    await page.getByTestId('model-url').fill(MOBILENET_URL);
    await page.getByRole('button', { name: 'Open address' }).click();
    const fromUrl = page.locator('[data-testid=stored-model][data-name="mobilenet_v1_0.75_224"]');
    await expect(fromUrl).toHaveCount(1, { timeout: 60_000 });
    await expect(fromUrl).toContainText(`from ${MOBILENET_URL}`);
    await expect(status()).toContainText('mobilenet_v1_0.75_224 ready');
    await expect(page.getByTestId('stored-model')).toHaveCount(4);
  });

  test('with the model host blocked, a reload still has every stored model, and they classify', async () => {
    test.setTimeout(120_000);
    let blocked = 0;
    await context.route(`${FIXTURE_ORIGIN}/**`, (route) => {
      blocked++;
      return route.abort('internetdisconnected');
    });
    // No ?model=: the app comes back to the stored model chosen last (the URL-imported MobileNet).
    await page.goto('/?backend=wasm');
    await expect(status()).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
    await expect(status()).toContainText('mobilenet_v1_0.75_224 ready');
    expect((await top3('dog-offline.jpg'))[0]!.label).toContain('malamute');

    await models();
    await expect(page.getByTestId('stored-model')).toHaveCount(4);
    // Switch to the .h5 converted in the page: same answers as before the reload.
    await page
      .locator('[data-testid=stored-model][data-name="inception-v3-top"]')
      .getByRole('button', { name: 'Use' })
      .click();
    await expect(status()).toContainText('inception-v3-top ready', { timeout: 60_000 });
    const again = await top3('dog-h5-offline.jpg');
    expect(again.map((p) => p.label)).toEqual(pageTop3.map((p) => p.label));

    // A URL on the blocked host gets a plain error and changes nothing.
    await models();
    await page
      .getByTestId('model-url')
      .fill(`${FIXTURE_ORIGIN}/generated/inception-v3-nsfwjs/model.json`);
    await page.getByRole('button', { name: 'Open address' }).click();
    await expect(page.getByTestId('import-error')).toContainText('could not be downloaded');
    await expect(status()).toContainText('inception-v3-top ready');
    expect(blocked).toBeGreaterThan(0);

    // Deleting removes it from IndexedDB: the list the worker reads back from there shrinks.
    await page.getByRole('button', { name: 'Delete model', exact: true }).click();
    await expect(page.getByTestId('stored-model')).toHaveCount(4); // it asks first
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await expect(page.getByTestId('stored-model')).toHaveCount(3);
    await expect(page.locator('[data-testid=stored-model][data-name="model"]')).toHaveCount(0);
  });

  test('a stored model whose data is gone cannot be switched to; the previous model stays active', async () => {
    await expect(status()).toContainText('inception-v3-top ready', { timeout: 60_000 });
    await models();
    const victim = page.locator('[data-testid=stored-model][data-name="mobilenet_v1_0.75_224"]');
    const key = await victim.getAttribute('data-key');
    // Clear its weights behind the app's back, as a browser clearing site data would.
    await page.evaluate(async (path) => {
      await new Promise<void>((done, fail) => {
        const open = indexedDB.open('tensorflowjs');
        open.onsuccess = () => {
          const tx = open.result.transaction(['models_store', 'model_info_store'], 'readwrite');
          tx.objectStore('models_store').delete(path);
          tx.objectStore('model_info_store').delete(path);
          tx.oncomplete = () => {
            open.result.close();
            done();
          };
          tx.onerror = () => fail(new Error(String(tx.error)));
        };
        open.onerror = () => fail(new Error(String(open.error)));
      });
    }, `inception-lens/${key}`);
    await victim.getByRole('button', { name: 'Use' }).click();
    await expect(page.getByTestId('model-notice')).toContainText(
      'mobilenet_v1_0.75_224 is no longer stored in this browser',
      { timeout: 60_000 },
    );
    await expect(status()).toHaveAttribute('data-state', 'ready');
    // the failed choice is not remembered for the next visit
    const remembered = await page.evaluate(() =>
      localStorage.getItem('inception-lens.active-model'),
    );
    expect(remembered ?? '').not.toContain(`inception-lens/${key}"`);
    const still = await top3('dog-still.jpg');
    expect(still.map((p) => p.label)).toEqual(pageTop3.map((p) => p.label));
  });
});
