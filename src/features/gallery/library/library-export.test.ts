import { describe, expect, test } from 'vitest';
import { libraryExportChunks } from './library-export';
import type { PhotoRecord } from './library-store';

const base: PhotoRecord = {
  library: 'L',
  id: 'a',
  path: 'pets/cat, "tom".jpg',
  name: 'cat, "tom".jpg',
  size: 10,
  lastModified: 0,
  status: 'done',
  predictions: [
    { index: 281, label: 'tabby, tabby cat', probability: 0.75 },
    { index: 282, label: 'tiger cat', probability: 0.25 },
  ],
  ms: 12.4,
  backend: 'wasm',
  modelId: 'm',
  resizeMode: 'squash',
  at: 0,
  extraBytes: 0,
  hasThumbnail: false,
  hasVector: false,
};
const failed: PhotoRecord = {
  ...base,
  id: 'b',
  path: 'x/notes.txt',
  name: 'notes.txt',
  status: 'error',
  error: 'not an image',
};
delete failed.predictions;

async function* batches() {
  await Promise.resolve();
  yield [base];
  yield [failed];
}

async function text(format: 'csv' | 'json'): Promise<string> {
  let out = '';
  for await (const chunk of libraryExportChunks(batches(), format, {
    library: 'Pets',
    exportedAt: new Date(0),
  }))
    out += chunk;
  return out;
}

describe('library export', () => {
  test('CSV: a row per rank with the relative path, quoted where needed; failures keep a row', async () => {
    const lines = (await text('csv')).trim().split('\n');
    expect(lines[0]).toBe(
      'path,name,size,last_modified,status,rank,label,probability,model,backend,ms,resize,error',
    );
    expect(lines[1]).toBe(
      '"pets/cat, ""tom"".jpg","cat, ""tom"".jpg",10,1970-01-01T00:00:00.000Z,done,1,"tabby, tabby cat",0.75,m,wasm,12,squash,',
    );
    expect(lines[2]).toContain(',2,tiger cat,0.25,');
    expect(lines[3]).toBe(
      'x/notes.txt,notes.txt,10,1970-01-01T00:00:00.000Z,error,,,,m,wasm,12,squash,not an image',
    );
    expect(lines).toHaveLength(4);
  });
  test('JSON: valid, one entry per photo, paths included', async () => {
    const parsed = JSON.parse(await text('json')) as {
      library: string;
      photos: { path: string; status: string }[];
    };
    expect(parsed.library).toBe('Pets');
    expect(parsed.photos.map((p) => [p.path, p.status])).toEqual([
      ['pets/cat, "tom".jpg', 'done'],
      ['x/notes.txt', 'error'],
    ]);
  });
});
