/**
 * Checks a Keras `.h5` that Teach's "Download for Keras (.h5)" produced in the page, against the
 * same model exported as a `.tfjs.zip`: our own reader (`readKerasWeightFile`, the one the Models
 * tab and model:fetch use) reads every weight back bit for bit, and Debian's h5py
 * (`scripts/h5py-structure.py`) finds the layout of Keras' own weight files. Used by
 * teach.spec.ts (classes made by hand) and dataset.spec.ts (a dataset).
 */
import { expect, type Page, type TestInfo } from '@playwright/test';
import { Uint8ArrayReader, Uint8ArrayWriter, ZipReader } from '@zip.js/zip.js';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { openH5, readKerasWeightFile } from '../src/models/keras-h5';
import { ROOT } from './paths';

const PYTHON = '/usr/bin/python3';
const STRUCTURE = resolve(ROOT, 'scripts', 'h5py-structure.py');

/** What the page offered: the file, its name and the Python it showed. */
export interface H5Download {
  path: string;
  fileName: string;
  /** 'application' or 'whole' (the panel's data-kind) */
  kind: string;
  python: string;
}

/**
 * Clicks `[data-testid=export-h5]` (there is one at a time) and returns the download, saved under the
 * test's output folder, with the Python snippet the page then shows.
 */
export async function downloadH5(page: Page, info: TestInfo): Promise<H5Download> {
  const downloading = page.waitForEvent('download', { timeout: 120_000 });
  await page.getByTestId('export-h5').click();
  const download = await downloading;
  const fileName = download.suggestedFilename();
  const path = info.outputPath(fileName);
  await download.saveAs(path);
  const panel = page.getByTestId('export-h5-python');
  await expect(panel).toBeVisible();
  return {
    path,
    fileName,
    kind: (await panel.getAttribute('data-kind')) ?? '',
    python: (await panel.locator('code').textContent()) ?? '',
  };
}

/** `shape:sha256` of each float32 weight: a multiset that two files share iff their weights do. */
function fingerprint(shape: readonly number[], values: Float32Array): string {
  const bytes = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  return `${shape.join('x')}:${createHash('sha256').update(bytes).digest('hex')}`;
}

interface ManifestWeight {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: unknown;
}

/** The float32 weights of a `.tfjs.zip` (model.json + weights.bin), by name. */
async function tfjsZipWeights(zip: Buffer): Promise<Map<string, string>> {
  const reader = new ZipReader(new Uint8ArrayReader(new Uint8Array(zip)), { useWebWorkers: false });
  const files = new Map<string, Uint8Array>();
  for (const entry of await reader.getEntries()) {
    if (!entry.directory) files.set(entry.filename, await entry.getData(new Uint8ArrayWriter()));
  }
  await reader.close();
  const json = JSON.parse(new TextDecoder().decode(files.get('model.json'))) as {
    weightsManifest: { paths: string[]; weights: ManifestWeight[] }[];
  };
  const out = new Map<string, string>();
  for (const group of json.weightsManifest) {
    const data = Buffer.concat(group.paths.map((p) => files.get(p) ?? new Uint8Array()));
    let offset = 0;
    for (const w of group.weights) {
      // The export keeps trained models in float32; anything else would not compare bitwise.
      expect(w.dtype, `${w.name} in model.json`).toBe('float32');
      expect(w.quantization, `${w.name} in model.json`).toBeUndefined();
      const size = w.shape.reduce((a, b) => a * b, 1);
      const values = new Float32Array(size);
      Buffer.from(values.buffer).set(data.subarray(offset, offset + size * 4));
      offset += size * 4;
      out.set(w.name, fingerprint(w.shape, values));
    }
    expect(offset, 'weights.bin holds what model.json describes').toBe(data.length);
  }
  return out;
}

interface H5pyView {
  root_attrs: Record<string, { dtype: string; shape: number[]; type: string }>;
  layers: { name: string; weights: { name: string; shape: number[]; dtype: string }[] }[];
  problems: string[];
}

/** h5py's view of the file; null (with the reason in the report) when h5py is not installed. */
function h5pyView(path: string, info: TestInfo): H5pyView | null {
  if (spawnSync(PYTHON, ['-c', 'import h5py']).status !== 0) {
    const reason = 'python3-h5py is not installed (apt install python3-h5py)';
    if (process.env.LENS_REQUIRE_SHARED === '1') throw new Error(reason);
    info.annotations.push({ type: 'skipped-check', description: `h5py layout check: ${reason}` });
    console.warn(`skipping the h5py layout check: ${reason}`);
    return null;
  }
  const run = spawnSync(PYTHON, [STRUCTURE, path], { encoding: 'utf8' });
  expect(run.stderr, 'h5py-structure.py stderr').toBe('');
  return JSON.parse(run.stdout) as H5pyView;
}

/**
 * The downloaded `.h5` holds exactly the weights of `tfjsZip` (the same model exported as
 * `.tfjs.zip`), read back by our reader; h5py sees Keras' layout (`layer_names`, one group per
 * layer with `weight_names`, float32 `<layer>/<weight>:0` datasets); the Python shown loads
 * this file by name. Returns the number of weights compared.
 */
export async function expectKerasH5(
  h5: H5Download,
  tfjsZip: Buffer,
  classes: number,
  info: TestInfo,
): Promise<number> {
  // The name: `*.h5`, never `*.weights.h5` (Keras 3 reads those with its newer loader).
  expect(h5.fileName).toMatch(/^[a-z0-9-]+\.h5$/);
  expect(h5.fileName).not.toMatch(/\.weights\.h5$/);
  expect(h5.python).toContain(`model.load_weights(${JSON.stringify(h5.fileName)})`);
  expect(['application', 'whole']).toContain(h5.kind);
  if (h5.kind === 'whole') expect(h5.python).toContain('keras.models.model_from_json');
  else expect(h5.python).toMatch(/keras\.applications\.\w+\(.*include_top=False/);
  expect(readFileSync(h5.path).subarray(0, 8)).toEqual(
    Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]),
  );

  // Our reader, as the Models tab and model:fetch read Keras' files.
  const lib = await import('h5wasm/node');
  await lib.ready;
  const file = openH5(lib, h5.path, h5.fileName);
  const fromH5: string[] = [];
  let layerNames: string[];
  let head: { name: string; shape: number[] }[];
  try {
    const keras = readKerasWeightFile(file, h5.fileName);
    layerNames = keras.layers.map((l) => l.name);
    for (const layer of keras.layers) {
      for (const w of layer.weights) {
        expect(w.name.startsWith(`${layer.name}/`), `${w.name} is under ${layer.name}/`).toBe(true);
        fromH5.push(fingerprint(w.shape, w.read()));
      }
    }
    const last = keras.layers.filter((l) => l.weights.length > 0).at(-1);
    head = (last?.weights ?? []).map((w) => ({ name: w.name, shape: w.shape }));
  } finally {
    file.close();
  }
  // The new softmax head is the last weighted layer: kernel [features, classes], bias [classes].
  expect(head.map((w) => w.shape.at(-1))).toEqual([classes, classes]);
  expect(head.map((w) => w.name.replace(/^.*\//, ''))).toEqual(['kernel:0', 'bias:0']);

  // Same weights, bit for bit, as the .tfjs.zip of the same model (names differ: Keras' `:0`,
  // and an application's layers are named as Keras builds them, so compare by content).
  const fromZip = await tfjsZipWeights(tfjsZip);
  expect(fromH5.length).toBe(fromZip.size);
  expect([...fromH5].sort()).toEqual([...fromZip.values()].sort());

  // Debian's h5py: the structure, attributes and dtypes of Keras' own files.
  const view = h5pyView(h5.path, info);
  if (view) {
    expect(view.problems).toEqual([]);
    const rootKeys = ['backend', 'keras_version', 'layer_names'];
    if (h5.kind === 'whole') rootKeys.push('model_config');
    expect(Object.keys(view.root_attrs).sort()).toEqual(rootKeys.sort());
    expect(view.root_attrs.layer_names?.dtype).toMatch(/^\|S\d+$/);
    expect(view.root_attrs.layer_names?.shape).toEqual([layerNames.length]);
    expect(view.root_attrs.backend).toMatchObject({ type: 'bytes_', shape: [] });
    expect(view.root_attrs.keras_version).toMatchObject({ type: 'bytes_', shape: [] });
    expect(view.layers.map((l) => l.name)).toEqual(layerNames);
    const all = view.layers.flatMap((l) => l.weights);
    expect(all.length).toBe(fromH5.length);
    expect(new Set(all.map((w) => w.dtype))).toEqual(new Set(['float32']));
  }
  writeFileSync(
    info.outputPath('h5-check.json'),
    JSON.stringify({ ...h5, weights: fromH5.length }),
  );
  return fromH5.length;
}
