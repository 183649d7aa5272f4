import { describe, expect, test } from 'vitest';
import { defaultSettings } from '../../inference/protocol';
import { featureCountText, formatDuration, settingsSummary } from './format';

describe('featureCountText', () => {
  test('photos when each photo is one image', () => {
    expect(featureCountText(3, 20, 20, false)).toBe('3 of 20 photos');
  });
  test('a total other than the photos added is not called photos', () => {
    expect(featureCountText(1, 4, 20, false)).toBe('1 of 4 images (for your 20 photos)');
  });
  test('with augmentation the total counts images, not photos (no "24 of 52 photos")', () => {
    const text = featureCountText(24, 52, 20, true);
    expect(text).toBe('24 of 52 images (for your 20 photos, with their augmented copies)');
    expect(text).not.toContain('52 photos');
  });
});

describe('formatDuration', () => {
  test('seconds, minutes, hours', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_300)).toBe('12.3 s');
    expect(formatDuration(245_000)).toBe('4 min 05 s');
    expect(formatDuration(7_380_000)).toBe('2 h 03 min');
  });
});

describe('settingsSummary', () => {
  test('reads the folded settings in one line', () => {
    expect(settingsSummary(defaultSettings('head'))).toBe(
      '20 epochs · batch 16 · learning rate 0.001 · 20 % for validation · flip',
    );
    const custom = {
      ...defaultSettings('fine-tune'),
      augment: { flip: false, crop: false, brightness: false },
      patience: 3,
    };
    expect(settingsSummary(custom)).toBe(
      '5 epochs · batch 8 · learning rate 0.0001 · 20 % for validation · no augmentation · early stopping after 3',
    );
  });
});
