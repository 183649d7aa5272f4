import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import type * as tfTypes from '@tensorflow/tfjs';
import { useWasmBackend } from '../../test/tf-node';
import { tinyInceptionLike } from '../train/test-kit';
import {
  crc32,
  packModel,
  readZip,
  unpackModel,
  writeZip,
  type ZipEntry,
} from './transfer-package';

let tf: typeof tfTypes;
beforeAll(async () => {
  tf = await useWasmBackend();
});

const text = (s: string) => new TextEncoder().encode(s);

/** A one-entry ZIP whose entry is deflated (as `zip` and most tools write). */
function deflatedZip(name: string, data: Uint8Array): Uint8Array {
  const packed = new Uint8Array(deflateRawSync(data));
  const stored = writeZip([{ name, data: packed }]);
  const view = new DataView(stored.buffer);
  // Patch method (8), CRC and uncompressed size in both headers of the stored archive.
  const central = view.getUint32(stored.length - 6, true);
  for (const at of [0, central]) {
    const base = at === 0 ? 4 : 6;
    view.setUint16(at + base + 4, 8, true);
    view.setUint32(at + base + 10, crc32(data), true);
    view.setUint32(at + base + 18, data.length, true);
  }
  return stored;
}

describe('ZIP', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(text('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array())).toBe(0);
  });

  it('writes archives it reads back, with UTF-8 names', async () => {
    const entries: ZipEntry[] = [
      { name: 'model.json', data: text('{"a":1}') },
      { name: 'dossier/poids é.bin', data: new Uint8Array([0, 1, 2, 255]) },
      { name: 'empty.txt', data: new Uint8Array() },
    ];
    const back = await readZip(writeZip(entries));
    expect(back).toEqual(entries);
  });

  it('writes archives the system unzip accepts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lens-zip-'));
    try {
      const file = join(dir, 'a.zip');
      writeFileSync(file, writeZip([{ name: 'hello.txt', data: text('hello zip') }]));
      let out: string;
      try {
        out = execFileSync('unzip', ['-p', file, 'hello.txt'], { encoding: 'utf8' });
      } catch (error) {
        if ((error as { code?: string }).code === 'ENOENT') {
          console.log('skipping the unzip cross-check: no unzip command on this machine');
          return;
        }
        throw error;
      }
      expect(out).toBe('hello zip');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads archives made by the system zip (deflated)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lens-zip-'));
    try {
      writeFileSync(join(dir, 'note.txt'), 'x'.repeat(5000));
      try {
        execFileSync('zip', ['-q', '-9', 'out.zip', 'note.txt'], { cwd: dir });
      } catch (error) {
        if ((error as { code?: string }).code === 'ENOENT') {
          console.log('skipping the zip cross-check: no zip command on this machine');
          return;
        }
        throw error;
      }
      const bytes = new Uint8Array(readFileSync(join(dir, 'out.zip')));
      expect(bytes.length).toBeLessThan(1000); // really compressed
      const [entry] = await readZip(bytes);
      expect(entry?.name).toBe('note.txt');
      expect(new TextDecoder().decode(entry?.data)).toBe('x'.repeat(5000));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads deflated entries and checks every CRC', async () => {
    const data = text('abc'.repeat(100));
    const [entry] = await readZip(deflatedZip('x.txt', data));
    expect(entry?.data).toEqual(data);
    const broken = writeZip([{ name: 'x.txt', data }]);
    broken[40] = (broken[40] as number) ^ 0xff; // flip a data byte
    await expect(readZip(broken)).rejects.toThrow(
      'the ZIP file is damaged (x.txt fails its checksum)',
    );
  });

  it('says plainly when the bytes are not a ZIP or are cut short', async () => {
    await expect(readZip(text('hello, not a zip at all, just some text'))).rejects.toThrow(
      'not a ZIP file',
    );
    const zip = writeZip([{ name: 'a.bin', data: new Uint8Array(100) }]);
    const cut = new Uint8Array([...zip.slice(0, 60), ...zip.slice(zip.length - 80)]);
    await expect(readZip(cut)).rejects.toThrow(/damaged|truncated/);
  });
});

async function artifactsOf(model: tfTypes.LayersModel): Promise<tfTypes.io.ModelArtifacts> {
  let saved: tfTypes.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler((a) => {
      saved = a;
      return Promise.resolve({
        modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' },
      });
    }),
  );
  return saved as unknown as tfTypes.io.ModelArtifacts;
}

describe('model packages', () => {
  const metadata = {
    name: 'Warm or cool',
    labels: ['a', 'b', 'c', 'd', 'e'],
    inputRange: [0, 1] as [number, number],
  };

  it('round-trips a model: same topology, same weights, same predictions', async () => {
    const model = tinyInceptionLike();
    const zip = packModel({ artifacts: await artifactsOf(model), metadata });
    const names = (await readZip(zip)).map((e) => e.name);
    expect(names).toEqual(['model.json', 'weights.bin', 'metadata.json']);
    const back = await unpackModel(zip, 'fallback');
    expect(back.metadata).toEqual(metadata);
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(back.artifacts));
    const x = tf.randomUniform([3, 16, 16, 3]);
    const a = model.predict(x) as tfTypes.Tensor;
    const b = loaded.predict(x) as tfTypes.Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    [x, a, b].forEach((t) => t.dispose());
    model.dispose();
    loaded.dispose();
  });

  it('model.json inside is a standard TensorFlow.js layers model.json', async () => {
    const model = tinyInceptionLike();
    const zip = packModel({ artifacts: await artifactsOf(model), metadata });
    model.dispose();
    const json = JSON.parse(
      new TextDecoder().decode((await readZip(zip))[0]?.data),
    ) as tfTypes.io.ModelJSON;
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0]?.paths).toEqual(['weights.bin']);
    expect(json.userDefinedMetadata).toMatchObject({ labels: metadata.labels });
  });

  it('finds the model in a folder, and takes the name from the file when none is stored', async () => {
    const model = tinyInceptionLike();
    const artifacts = await artifactsOf(model);
    model.dispose();
    const weights = new Uint8Array(artifacts.weightData as ArrayBuffer);
    const json = {
      format: 'layers-model',
      modelTopology: artifacts.modelTopology,
      weightsManifest: [
        {
          paths: ['./group1-shard1of2.bin', 'group1-shard2of2.bin'],
          weights: artifacts.weightSpecs,
        },
      ],
    };
    const half = Math.floor(weights.length / 2);
    const zip = writeZip([
      { name: 'mine/model.json', data: text(JSON.stringify(json)) },
      { name: 'mine/group1-shard1of2.bin', data: weights.slice(0, half) },
      { name: 'mine/group1-shard2of2.bin', data: weights.slice(half) },
      { name: 'mine/metadata.json', data: text(JSON.stringify({ labels: metadata.labels })) },
    ]);
    const back = await unpackModel(zip, 'from-file');
    expect(back.metadata).toEqual({
      name: 'from-file',
      labels: metadata.labels,
      inputRange: [-1, 1],
    });
    expect(new Uint8Array(back.artifacts.weightData as ArrayBuffer)).toEqual(weights);
  });

  it('names what is wrong with a bad package', async () => {
    const model = tinyInceptionLike();
    const artifacts = await artifactsOf(model);
    model.dispose();
    const good = await readZip(packModel({ artifacts, metadata }));
    const without = (name: string) => writeZip(good.filter((e) => e.name !== name));
    const replaced = (name: string, data: Uint8Array) =>
      writeZip(good.map((e) => (e.name === name ? { name, data } : e)));
    await expect(unpackModel(without('model.json'), 'x')).rejects.toThrow(/no model.json/);
    await expect(unpackModel(without('weights.bin'), 'x')).rejects.toThrow(
      'the weights file weights.bin named in model.json is missing',
    );
    const weights = good.find((e) => e.name === 'weights.bin')!.data;
    await expect(unpackModel(replaced('weights.bin', weights.slice(8)), 'x')).rejects.toThrow(
      /the file is damaged/,
    );
    const json = JSON.parse(new TextDecoder().decode(good[0]!.data)) as Record<string, unknown>;
    delete json.userDefinedMetadata;
    const noLabels = writeZip([
      { name: 'model.json', data: text(JSON.stringify(json)) },
      { name: 'weights.bin', data: weights },
    ]);
    await expect(unpackModel(noLabels, 'x')).rejects.toThrow(/no class names/);
    await expect(unpackModel(replaced('model.json', text('{oops')), 'x')).rejects.toThrow(
      'model.json in the file is not valid JSON',
    );
    const graph = { ...json, format: 'graph-model' };
    await expect(
      unpackModel(replaced('model.json', text(JSON.stringify(graph))), 'x'),
    ).rejects.toThrow(/only layers models/);
  });
});
