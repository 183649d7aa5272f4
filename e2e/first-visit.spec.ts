import { expect, test } from '@playwright/test';
import { MOBILENET_URL, card, needsSharedFixtures, photo } from './helpers';

// The page opens without its default weights here (they are never fetched on this machine), which
// is exactly a first visit to a host that has not run `npm run model:fetch`.

test('a first visit without the default weights welcomes the user and says what to do', async ({
  page,
}) => {
  await page.goto('/?backend=wasm');
  const status = page.getByTestId('model-status');
  await expect(status).toHaveAttribute('data-state', 'error');
  const welcome = page.getByTestId('first-visit');
  await expect(welcome).toBeVisible();
  await expect(status).toContainText('Welcome');
  // the host's instructions are there, folded away
  const host = welcome.locator('details');
  await expect(host).not.toHaveAttribute('open');
  await expect(host.getByText(/npm run model:fetch/)).toBeHidden();
  await welcome.getByRole('button', { name: 'Open a model' }).click();
  await expect(page.getByRole('tab', { name: 'Models' })).toHaveAttribute('aria-selected', 'true');
  // the missing built-in model is listed, but not offered
  await expect(page.getByTestId('builtin-model').getByRole('button')).toBeDisabled();
  await expect(page.getByTestId('model-url')).toBeVisible();
});

test('a ?model= that cannot load is an error, not a welcome', async ({ page }) => {
  await page.goto('/?backend=wasm&model=nothing-here/model.json');
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'error');
  await expect(page.getByTestId('first-visit')).toHaveCount(0);
  await expect(page.getByTestId('model-status').getByRole('alert')).toBeVisible();
});

test("the app's code failing to arrive is said on the page, with a way to try again", async ({
  page,
}) => {
  // the app's chunk (not the entry script) is cut off, as a dropped connection would
  await page.route(/\/assets\/app-[^/]+\.js$/, (route) => route.abort('internetdisconnected'));
  await page.goto('/?backend=wasm');
  const alert = page.getByTestId('app-load-error');
  await expect(alert).toBeVisible();
  await expect(alert).toContainText('could not load its code');
  await page.unroute(/\/assets\/app-[^/]+\.js$/);
  await alert.getByRole('button', { name: 'Reload' }).click();
  await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'error');
  await expect(alert).toHaveCount(0);
});

test.describe('first visit without weights', () => {
  needsSharedFixtures();

  test('photos dropped before any model wait; bad files are refused at once; the rest are classified once a model loads', async ({
    page,
  }) => {
    test.setTimeout(180_000);
    await page.goto('/?backend=wasm');
    await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'error');
    await page
      .locator('input[type=file][multiple]')
      .setInputFiles([
        photo('dog.jpg'),
        { name: 'notes.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('only some text') },
      ]);
    // The text file needs no model to be refused, and says why.
    await expect(card(page, 'notes.jpg')).toHaveAttribute('data-status', 'error', {
      timeout: 10_000,
    });
    await expect(card(page, 'notes.jpg')).toContainText('not an image');
    // The photo waits visibly, and the page says what to do.
    await expect(card(page, 'dog.jpg')).toHaveAttribute('data-status', 'waiting');
    await expect(page.getByTestId('gallery-summary')).toContainText('1 waiting for a model');
    const needsModel = page.getByTestId('needs-model');
    await expect(needsModel).toBeVisible();
    await needsModel.getByRole('button', { name: 'Choose a model' }).click();

    // A model opened by address becomes the active one; the waiting photo is then classified.
    await page.getByTestId('model-url').fill(MOBILENET_URL);
    await page.getByRole('button', { name: 'Open address' }).click();
    await expect(page.getByTestId('model-status')).toHaveAttribute('data-state', 'ready', {
      timeout: 90_000,
    });
    await page.getByRole('tab', { name: 'Classify' }).click();
    await expect(card(page, 'dog.jpg')).toHaveAttribute('data-status', 'done', {
      timeout: 60_000,
    });
    await expect(card(page, 'notes.jpg')).toHaveAttribute('data-status', 'error');
    await expect(page.getByTestId('needs-model')).toHaveCount(0);
  });
});
