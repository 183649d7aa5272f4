import { afterEach, describe, expect, it, vi } from 'vitest';
import { acquirePreviewUrl, previewUrlCount, releasePreviewUrl } from './preview-url';

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
});
