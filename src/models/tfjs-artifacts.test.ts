import { beforeAll, describe, expect, test } from 'vitest';
import { useWasmBackend } from '../test/tf-node';
import {
  artifactsOf,
  encodeFloat16,
  expectedWeightBytes,
  float16Bits,
  quantizeUint8,
  quantizeWeights,
  sha256Hex,
  shardHashesOf,
  shardNames,
  splitShards,
  weightBundleOf,
} from './tfjs-artifacts';

let tf: Awaited<ReturnType<typeof useWasmBackend>>;
beforeAll(async () => {
  tf = await useWasmBackend();
});

/** Decodes weights the way the tfjs loader does (the reference for our encoders). */
function decode(
  data: ArrayBuffer,
  spec: Parameters<typeof tf.io.decodeWeights>[1][number],
): Float32Array {
  const map = tf.io.decodeWeights(data, [spec]);
  const t = map[spec.name]!;
  const values = t.dataSync() as Float32Array;
  t.dispose();
  return values;
}

describe('float16', () => {
  test('every finite half value survives decode → encode bit for bit', () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    const finite = all.filter((h) => (h & 0x7c00) !== 0x7c00);
    const decoded = decode(finite.buffer, {
      name: 'h',
      shape: [finite.length],
      dtype: 'float32',
      quantization: { dtype: 'float16' },
    });
    const again = encodeFloat16(decoded);
    let mismatches = 0;
    for (let i = 0; i < finite.length; i++) if (again[i] !== finite[i]) mismatches++;
    expect(mismatches).toBe(0);
    expect(finite.length).toBe(63488);
  });

  test('rounds to nearest (ties to even) and saturates instead of overflowing', () => {
    expect(float16Bits(1)).toBe(0x3c00);
    expect(float16Bits(-2)).toBe(0xc000);
    expect(float16Bits(0)).toBe(0);
    expect(float16Bits(-0)).toBe(0x8000);
    // 1 + 2^-11 lies halfway between 1 and 1 + 2^-10: ties go to the even mantissa (1).
    expect(float16Bits(1 + 2 ** -11)).toBe(0x3c00);
    // 1 + 3·2^-11 lies halfway between 1 + 2^-10 and 1 + 2^-9: to the even one (1 + 2^-9).
    expect(float16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(float16Bits(65504)).toBe(0x7bff);
    expect(float16Bits(1e9)).toBe(0x7bff);
    expect(float16Bits(-Infinity)).toBe(0xfbff);
    expect(float16Bits(2 ** -24)).toBe(1); // smallest subnormal
    expect(float16Bits(2 ** -26)).toBe(0); // below half of it
    expect(float16Bits(NaN) & 0x7c00).toBe(0x7c00);
  });

  test('relative error of normal values stays within half an ulp (2^-11)', () => {
    let seed = 1;
    const values = Float32Array.from({ length: 10_000 }, () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return (seed / 2 ** 32 - 0.5) * 2 ** ((seed % 20) - 8);
    });
    const back = decode(encodeFloat16(values).buffer as ArrayBuffer, {
      name: 'v',
      shape: [values.length],
      dtype: 'float32',
      quantization: { dtype: 'float16' },
    });
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (Math.abs(v) < 2 ** -14) continue; // subnormal range: absolute error instead
      expect(Math.abs(back[i]! - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11);
    }
  });
});

describe('uint8 affine quantisation', () => {
  test('zero is exact, every value within half a step, decoded by tfjs', () => {
    const values = Float32Array.from([-0.73, 0, 0.001, 0.5, 1.9, -0.2, 0, 1.2]);
    const q = quantizeUint8(values);
    const back = decode(q.bytes.slice().buffer, {
      name: 'w',
      shape: [values.length],
      dtype: 'float32',
      quantization: { dtype: 'uint8', min: q.min, scale: q.scale },
    });
    expect(back[1]).toBe(0);
    expect(back[6]).toBe(0);
    for (let i = 0; i < values.length; i++) {
      expect(Math.abs(back[i]! - values[i]!)).toBeLessThanOrEqual(q.scale / 2 + 1e-7);
    }
    expect(q.scale).toBeCloseTo((1.9 + 0.73) / 255, 9);
  });

  test('all-positive, all-negative and constant tensors', () => {
    const pos = quantizeUint8(Float32Array.from([2, 3, 4]));
    expect(pos.min).toBe(0); // the range is widened to include 0
    const neg = quantizeUint8(Float32Array.from([-4, -1]));
    expect(neg.min).toBeCloseTo(-4, 6); // the top of the range is 0, exactly byte 255
    expect([...neg.bytes]).toEqual([0, 191]);
    const zeros = quantizeUint8(new Float32Array(5));
    expect(zeros.scale).toBe(1);
    expect([...zeros.bytes]).toEqual([0, 0, 0, 0, 0]);
  });
});

describe('weight bundles', () => {
  test('quantizeWeights marks float32 weights, leaves int32 as is, and tfjs decodes the result', () => {
    const a = Float32Array.from({ length: 12 }, (_, i) => (i - 5) / 7);
    const b = Int32Array.from([1, -2, 3]);
    const data = new Uint8Array(a.byteLength + b.byteLength);
    data.set(new Uint8Array(a.buffer), 0);
    data.set(new Uint8Array(b.buffer), a.byteLength);
    const specs = [
      { name: 'a', shape: [3, 4], dtype: 'float32' as const },
      { name: 'b', shape: [3], dtype: 'int32' as const },
    ];
    for (const precision of ['float16', 'uint8'] as const) {
      const q = quantizeWeights({ specs, data: data.buffer }, precision);
      expect(q.specs[0]!.quantization?.dtype).toBe(precision);
      expect(q.specs[1]!.quantization).toBeUndefined();
      expect(q.data.byteLength).toBe(expectedWeightBytes(q.specs));
      const map = tf.io.decodeWeights(q.data, q.specs);
      const da = map.a!.dataSync();
      a.forEach((v, i) =>
        expect(Math.abs(da[i]! - v)).toBeLessThan(precision === 'uint8' ? 0.01 : 1e-3),
      );
      expect([...map.b!.dataSync()]).toEqual([1, -2, 3]);
      tf.dispose(Object.values(map));
    }
    expect(quantizeWeights({ specs, data: data.buffer }, 'float32').data).toBe(data.buffer);
  });

  test('quantizeWeights names a weight whose data is missing', () => {
    expect(() =>
      quantizeWeights(
        { specs: [{ name: 'k', shape: [4], dtype: 'float32' }], data: new ArrayBuffer(8) },
        'float16',
      ),
    ).toThrow(/weight k: the weight data ends after 8 bytes, 16 needed/);
  });

  test('artifactsOf + weightBundleOf give the weights model.save writes', async () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ units: 3, inputShape: [2], name: 'd' })],
    });
    const before = tf.memory().numTensors;
    const bundle = weightBundleOf(await artifactsOf(model));
    expect(tf.memory().numTensors).toBe(before);
    expect(bundle.specs.map((s) => s.name)).toEqual(['d/kernel', 'd/bias']);
    expect(bundle.data.byteLength).toBe((6 + 3) * 4);
    model.dispose();
  });

  test('shards, names and hashes', async () => {
    const data = new Uint8Array(10).map((_, i) => i).buffer;
    const shards = splitShards(data, 4);
    expect(shards.map((s) => s.byteLength)).toEqual([4, 4, 2]);
    expect(splitShards(new ArrayBuffer(0), 4)).toHaveLength(1);
    expect(shardNames(2)).toEqual(['group1-shard1of2.bin', 'group1-shard2of2.bin']);
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(
      shardHashesOf({ shards: [{ path: 'a.bin', bytes: 4, sha256: 'AB' }] })?.get('a.bin'),
    ).toEqual({
      path: 'a.bin',
      bytes: 4,
      sha256: 'ab',
    });
    expect(shardHashesOf({ labels: [] })).toBeNull();
    expect(expectedWeightBytes([{ name: 's', shape: [2], dtype: 'string' }])).toBeNull();
  });
});
