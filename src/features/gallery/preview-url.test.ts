import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  PREVIEW_BUDGET_MS,
  acquirePreviewUrl,
  attachPreviewSoon,
  previewUrlCount,
  releasePreviewUrl,
} from './preview-url';

describe('preview URLs', () => {
  afterEach(() => vi.restoreAllMocks());

  it('makes one URL per file however often it is asked, and revokes it with the last user', () => {
    const create = vi.spyOn(URL, 'createObjectURL');
    const revoke = vi.spyOn(URL, 'revokeObjectURL');
    const file = new Blob(['x'], { type: 'image/jpeg' });
    const a = acquirePreviewUrl(file);
    const b = acquirePreviewUrl(file);
    expect(b).toBe(a);
    expect(create).toHaveBeenCalledTimes(1);
    releasePreviewUrl(file);
    expect(revoke).not.toHaveBeenCalled();
    releasePreviewUrl(file);
    expect(revoke).toHaveBeenCalledExactlyOnceWith(a);
    expect(previewUrlCount()).toBe(0);
  });

  it('gives different files different URLs, and a released file a fresh one', () => {
    const one = new Blob(['1']);
    const two = new Blob(['2']);
    const u1 = acquirePreviewUrl(one);
    const u2 = acquirePreviewUrl(two);
    expect(u1).not.toBe(u2);
    releasePreviewUrl(one);
    const again = acquirePreviewUrl(one);
    expect(again).not.toBe(u1);
    releasePreviewUrl(one);
    releasePreviewUrl(two);
    releasePreviewUrl(two); // an extra release is harmless
    expect(previewUrlCount()).toBe(0);
  });

  it("makes a mounted preview's URL in a later task, not in the render that mounts it", async () => {
    const img = { src: '' } as HTMLImageElement;
    const file = new Blob(['p']);
    const release = attachPreviewSoon(img, file);
    expect(img.src).toBe('');
    expect(previewUrlCount()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(img.src).toMatch(/^blob:/);
    expect(previewUrlCount()).toBe(1);
    release();
    expect(previewUrlCount()).toBe(0);
  });

  it('a card gone before its turn never makes a URL', async () => {
    const create = vi.spyOn(URL, 'createObjectURL');
    const img = { src: '' } as HTMLImageElement;
    attachPreviewSoon(img, new Blob(['gone']))();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(create).not.toHaveBeenCalled();
    expect(img.src).toBe('');
  });

  it('spreads a screenful over tasks of about the budget each', async () => {
    // each URL costs 3 ms here: a 4 ms budget lets at most two into one task
    let now = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    vi.spyOn(URL, 'createObjectURL').mockImplementation(() => {
      now += 3;
      return `blob:n${now}`;
    });
    const imgs = Array.from({ length: 6 }, () => ({ src: '' }) as HTMLImageElement);
    const releases = imgs.map((img, i) => attachPreviewSoon(img, new Blob([String(i)])));
    const made = () => imgs.filter((img) => img.src !== '').length;
    const counts: number[] = [];
    for (let turn = 0; turn < 4 && made() < 6; turn += 1) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      counts.push(made());
    }
    expect(PREVIEW_BUDGET_MS).toBe(4);
    expect(counts).toEqual([2, 4, 6]);
    for (const release of releases) release();
    expect(previewUrlCount()).toBe(0);
  });
});
