import { describe, expect, test } from 'vitest';
import {
  csvField,
  exportFileName,
  resultRows,
  toCsv,
  toJson,
  type ExportableCard,
} from './export-format';
import { parseCsv } from '../../test/csv';

const cards: ExportableCard[] = [
  {
    name: 'dog.jpg',
    status: 'done',
    modelId: 'url:http://x/mobilenet/model.json',
    backend: 'wasm',
    ms: 41.26,
    resizeMode: 'keras',
    predictions: [
      { index: 249, label: 'malamute, malemute, Alaskan malamute', probability: 0.36 },
      { index: 248, label: 'Eskimo dog, husky', probability: 0.21 },
      { index: 537, label: 'dogsled, dog sled, dog sleigh', probability: 0.13 },
    ],
  },
  { name: 'notes.txt', status: 'error' },
  { name: 'later.jpg', status: 'queued' },
  {
    name: 'say "cheese", please.png',
    status: 'done',
    modelId: 'inception-v3',
    backend: 'webgl',
    ms: 500,
    predictions: [{ index: 1, label: 'goldfish, Carassius auratus', probability: 1e-7 }],
  },
];

describe('results export', () => {
  test('one CSV row per prediction of every finished photo; commas and quotes survive', () => {
    const csv = toCsv(resultRows(cards));
    const rows = parseCsv(csv);
    expect(rows[0]).toEqual([
      'file',
      'rank',
      'label',
      'probability',
      'model_id',
      'backend',
      'ms',
      'resize',
    ]);
    expect(rows.slice(1)).toEqual([
      [
        'dog.jpg',
        '1',
        'malamute, malemute, Alaskan malamute',
        '0.36',
        'url:http://x/mobilenet/model.json',
        'wasm',
        '41.3',
        'keras',
      ],
      [
        'dog.jpg',
        '2',
        'Eskimo dog, husky',
        '0.21',
        'url:http://x/mobilenet/model.json',
        'wasm',
        '41.3',
        'keras',
      ],
      [
        'dog.jpg',
        '3',
        'dogsled, dog sled, dog sleigh',
        '0.13',
        'url:http://x/mobilenet/model.json',
        'wasm',
        '41.3',
        'keras',
      ],
      [
        'say "cheese", please.png',
        '1',
        'goldfish, Carassius auratus',
        '1e-7',
        'inception-v3',
        'webgl',
        '500',
        '',
      ],
    ]);
    expect(csv.split('\r\n')[4]).toBe(
      '"say ""cheese"", please.png",1,"goldfish, Carassius auratus",1e-7,inception-v3,webgl,500,',
    );
    expect(csv.endsWith('\r\n')).toBe(true);
  });

  test('nothing finished: just the header', () => {
    expect(toCsv(resultRows([{ name: 'a', status: 'error' }]))).toBe(
      'file,rank,label,probability,model_id,backend,ms,resize\r\n',
    );
  });

  test('fields: quoting, line breaks, formulas kept as text, missing numbers empty', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField('@sum')).toBe("'@sum");
    expect(csvField(0.5)).toBe('0.5');
    expect(csvField(NaN)).toBe('');
  });

  test('JSON: one entry per finished photo with ranked classes', () => {
    const json = JSON.parse(toJson(cards, new Date('2026-11-29T10:00:00Z'))) as {
      generator: string;
      exportedAt: string;
      photos: {
        file: string;
        modelId: string;
        backend: string;
        ms: number;
        predictions: unknown[];
      }[];
    };
    expect(json.generator).toBe('Inception Lens');
    expect(json.exportedAt).toBe('2026-11-29T10:00:00.000Z');
    expect(json.photos.map((p) => p.file)).toEqual(['dog.jpg', 'say "cheese", please.png']);
    expect(json.photos[0]).toMatchObject({
      modelId: 'url:http://x/mobilenet/model.json',
      backend: 'wasm',
      ms: 41.3,
      resizeMode: 'keras',
    });
    // a card that does not say how it was resized exports null, not a guess
    expect(json.photos[1]).toMatchObject({ resizeMode: null });
    expect(json.photos[0]!.predictions[1]).toEqual({
      rank: 2,
      label: 'Eskimo dog, husky',
      classIndex: 248,
      probability: 0.21,
    });
  });

  test("a second model's answer follows its photo, in CSV by model_id and in JSON as `also`", () => {
    const both: ExportableCard[] = [
      {
        name: 'cat.jpg',
        status: 'done',
        modelId: 'trained:cats-vs-dogs',
        backend: 'wasm',
        ms: 20,
        predictions: [
          { index: 0, label: 'cat', probability: 0.9 },
          { index: 1, label: 'dog', probability: 0.1 },
        ],
        also: {
          modelId: 'inception-v3',
          name: 'InceptionV3',
          ms: 250.04,
          predictions: [{ index: 281, label: 'tabby, tabby cat', probability: 0.6 }],
        },
      },
      {
        name: 'offline.jpg',
        status: 'done',
        modelId: 'trained:cats-vs-dogs',
        backend: 'wasm',
        ms: 20,
        predictions: [{ index: 1, label: 'dog', probability: 0.7 }],
        also: { modelId: 'inception-v3', name: 'InceptionV3', error: 'not cached' },
      },
    ];
    const rows = parseCsv(toCsv(resultRows(both)));
    expect(rows.slice(1).map((r) => [r[0], r[1], r[2], r[4], r[6]])).toEqual([
      ['cat.jpg', '1', 'cat', 'trained:cats-vs-dogs', '20'],
      ['cat.jpg', '2', 'dog', 'trained:cats-vs-dogs', '20'],
      ['cat.jpg', '1', 'tabby, tabby cat', 'inception-v3', '250'],
      ['offline.jpg', '1', 'dog', 'trained:cats-vs-dogs', '20'],
    ]);
    const json = JSON.parse(toJson(both, new Date())) as {
      photos: { also?: { name: string; predictions?: unknown[]; error?: string } }[];
    };
    expect(json.photos[0]!.also).toEqual({
      modelId: 'inception-v3',
      name: 'InceptionV3',
      predictions: [{ rank: 1, label: 'tabby, tabby cat', classIndex: 281, probability: 0.6 }],
    });
    expect(json.photos[1]!.also).toEqual({
      modelId: 'inception-v3',
      name: 'InceptionV3',
      error: 'not cached',
    });
    const plain = JSON.parse(toJson(cards, new Date())) as { photos: object[] };
    expect(plain.photos[0]).not.toHaveProperty('also');
  });

  test('file names carry the local date and time', () => {
    const d = new Date(2026, 10, 9, 7, 5);
    expect(exportFileName('csv', d)).toBe('inception-lens-results-2026-11-09-0705.csv');
    expect(exportFileName('json', d)).toBe('inception-lens-results-2026-11-09-0705.json');
  });
});
