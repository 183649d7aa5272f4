import { expect, test, type Locator, type Page } from '@playwright/test';
import { MOBILENET_URL, card, needsSharedFixtures, openApp, photo } from './helpers';

/**
 * Null, or how the document (or an element, e.g. a dialog) scrolls sideways: its widths and the
 * first few elements that stick out on the right.
 */
async function overflow(page: Page, element?: Locator): Promise<string | null> {
  const target = element ?? page.locator('html');
  return target.evaluate((el) => {
    if (el.scrollWidth <= el.clientWidth) return null;
    const right = el.getBoundingClientRect().left + el.clientWidth;
    const out = [...el.querySelectorAll('*')]
      .filter((child) => child.getBoundingClientRect().right > right + 0.5)
      .slice(0, 4)
      .map((child) => `${child.tagName.toLowerCase()}.${child.className}`);
    return `${el.scrollWidth} > ${el.clientWidth}: ${out.join(', ')}`;
  });
}

test.describe('a 360 px wide phone', () => {
  needsSharedFixtures();
  test.use({ viewport: { width: 360, height: 740 } });

  test('no view and no open dialog scrolls sideways', async ({ page }) => {
    test.setTimeout(180_000);
    await openApp(page, { model: MOBILENET_URL, backend: 'wasm' });
    await page.locator('input[type=file][multiple]').setInputFiles([photo('dog.jpg')]);
    await expect(card(page, 'dog.jpg')).toHaveAttribute('data-status', 'done');
    await page.getByTestId('settings').locator('summary').click();
    expect(await overflow(page), 'Classify with Settings open').toBeNull();

    await card(page, 'dog.jpg').getByTestId('explain-button').click();
    const dialog = page.getByTestId('explain-dialog');
    await expect(dialog).toBeVisible();
    await expect(dialog.getByTestId('heatmap')).toHaveAttribute('data-state', 'ready', {
      timeout: 60_000,
    });
    expect(await overflow(page, dialog), 'the "Why?" dialog').toBeNull();
    expect(await overflow(page), 'the page under the dialog').toBeNull();
    await dialog.getByRole('button', { name: 'Close' }).click();
    await expect(dialog).toHaveCount(0);

    for (const name of ['Models', 'Inspect', 'Teach']) {
      const tab = page.getByRole('tab', { name });
      await tab.click();
      await expect(tab).toHaveAttribute('aria-selected', 'true');
      // the tab itself is reachable: not cut off by the bar's edge
      const box = await tab.boundingBox();
      expect(box && box.x + box.width, `the ${name} tab's right edge`).toBeLessThanOrEqual(360);
      expect(await overflow(page), name).toBeNull();
    }
  });
});
