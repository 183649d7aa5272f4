import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FIXTURE_ORIGIN, SHARED_DIR } from './paths';
import {
  INCEPTION_FIXTURE_URL,
  MOBILENET_URL,
  card,
  openApp,
  photo,
  needsSharedFixtures,
} from './helpers';

test('without model files the page explains how to get them and keeps working', async ({
  page,
}) => {
  await page.goto('/?backend=wasm');
  const status = page.getByTestId('model-status');
  await expect(status).toHaveAttribute('data-state', 'error');
  await expect(status).toContainText('npm run model:fetch');
  await expect(page.getByTestId('drop-zone')).toBeVisible();
});

test('a model URL that 404s or is not JSON gets a plain error', async ({ page }) => {
  await page.goto(
    `/?model=${encodeURIComponent(`${FIXTURE_ORIGIN}/shared/nothing/model.json`)}&backend=wasm`,
  );
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'error');
  await expect(page.getByTestId('model-status')).toContainText('HTTP 404');
  await page.goto(`/?model=${encodeURIComponent(`${FIXTURE_ORIGIN}/health`)}&backend=wasm`);
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'error');
  await expect(page.getByTestId('model-status')).toContainText('not a valid model.json');
});

test.describe('with the shared fixtures', () => {
  needsSharedFixtures();

  test("our InceptionV3 (nsfwjs' Keras weights) runs at 299×299 in the browser", async ({
    page,
  }) => {
    await openApp(page, { model: INCEPTION_FIXTURE_URL, backend: 'wasm' });
    const status = page.getByTestId('model-status');
    await expect(status).toContainText('299×299 input');
    await expect(status).toContainText('1000 classes');
    await expect(status).toContainText('23.9 M parameters');
    await page.locator('input[type=file][multiple]').setInputFiles([photo('dog.jpg')]);
    await expect(card(page, 'dog.jpg')).toHaveAttribute('data-status', 'done');
    await expect(card(page, 'dog.jpg').getByTestId('prediction')).toHaveCount(3);
  });

  test('removing a card or clearing the gallery cancels its work; the app stays usable', async ({
    page,
  }) => {
    await openApp(page, { model: MOBILENET_URL, backend: 'wasm' });
    const input = page.locator('input[type=file][multiple]');
    const many = Array.from({ length: 8 }, (_, i) => ({
      ...photo('eagle.jpg'),
      name: `eagle-${i}.jpg`,
    }));
    await input.setInputFiles(many);
    await page.getByRole('button', { name: 'Remove eagle-7.jpg' }).click();
    await expect(card(page, 'eagle-7.jpg')).toHaveCount(0);
    await page.getByRole('button', { name: 'Clear all' }).click();
    await expect(page.getByTestId('image-card')).toHaveCount(0);
    await input.setInputFiles([photo('giraffe.jpg')]);
    await expect(card(page, 'giraffe.jpg')).toHaveAttribute('data-status', 'done');
    await expect(page.getByTestId('image-card')).toHaveCount(1);
  });

  test('the backend setting persists across reloads', async ({ page }) => {
    await openApp(page, { model: MOBILENET_URL });
    await page.getByText('Settings').click();
    await page.getByTestId('backend-select').selectOption('cpu');
    await expect(page.getByTestId('model-status')).toHaveAttribute('data-backend', 'cpu', {
      timeout: 60_000,
    });
    await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'ready');
    await page.reload();
    await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'ready', {
      timeout: 60_000,
    });
    await expect(page.getByTestId('model-status')).toHaveAttribute('data-backend', 'cpu');
    await page.getByText('Settings').click();
    await expect(page.getByTestId('backend-select')).toHaveValue('cpu');
  });

  test('photos arrive by paste and by drop too', async ({ page }) => {
    await openApp(page, { model: MOBILENET_URL, backend: 'wasm' });
    const bytes = [...readFileSync(resolve(SHARED_DIR, 'photos/dog.jpg'))];
    await page.evaluate((data) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(data)], 'pasted.jpg', { type: 'image/jpeg' }));
      window.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer }));
    }, bytes);
    await expect(card(page, 'pasted.jpg')).toHaveAttribute('data-status', 'done');

    const transfer = await page.evaluateHandle((data) => {
      const t = new DataTransfer();
      t.items.add(new File([new Uint8Array(data)], 'dropped-1.jpg', { type: 'image/jpeg' }));
      t.items.add(new File([new Uint8Array(data)], 'dropped-2.jpg', { type: 'image/jpeg' }));
      return t;
    }, bytes);
    await page.getByTestId('drop-zone').dispatchEvent('drop', { dataTransfer: transfer });
    await expect(card(page, 'dropped-1.jpg')).toHaveAttribute('data-status', 'done');
    await expect(card(page, 'dropped-2.jpg')).toHaveAttribute('data-status', 'done');
  });

  test('the drop zone opens the picker from the keyboard', async ({ page }) => {
    // Intercept file choosers from the start (see a11y.spec.ts).
    page.on('filechooser', () => undefined);
    await openApp(page, { model: MOBILENET_URL, backend: 'wasm' });
    await page.getByTestId('drop-zone').focus();
    // Wait for the chooser before pressing, and await both (a rejected press is not lost).
    const [picker] = await Promise.all([
      page.waitForEvent('filechooser', { timeout: 20_000 }),
      page.keyboard.press('Enter'),
    ]);
    expect(picker.isMultiple()).toBe(true);
    await picker.setFiles([photo('eagle.jpg')]);
    await expect(card(page, 'eagle.jpg')).toHaveAttribute('data-status', 'done');
  });
});
