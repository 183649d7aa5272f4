import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { startLiteRt } from './litert-engine';
import type { LiteRtReply, LiteRtRequest } from './litert-messages';

/** A stand-in for the helper worker: answers like litert.worker.ts and records what it got. */
class FakeHelper {
  static last: FakeHelper | null = null;
  onmessage: ((event: MessageEvent<LiteRtReply>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  readonly runs: { input: Float32Array; transfer: Transferable[] }[] = [];
  /** answer runs with an error instead */
  failRuns = false;
  terminated = false;
  constructor() {
    FakeHelper.last = this;
  }
  postMessage(request: LiteRtRequest, transfer: Transferable[] = []): void {
    const reply = (r: LiteRtReply) => queueMicrotask(() => this.onmessage?.({ data: r } as never));
    if (request.type === 'load')
      reply({ type: 'loaded', threads: request.threads, runtimeMs: 1, compileMs: 1 });
    if (request.type !== 'run') return;
    this.runs.push({ input: request.input, transfer });
    const sum = request.input.reduce((a, b) => a + b, 0);
    reply(
      this.failRuns
        ? { type: 'error', id: request.id, message: 'no', input: request.input }
        : { type: 'result', id: request.id, outputs: [Float32Array.of(sum)], input: request.input },
    );
  }
  terminate(): void {
    this.terminated = true;
  }
}

beforeEach(() => {
  vi.stubGlobal('Worker', FakeHelper);
  vi.stubGlobal('self', { location: { href: 'http://localhost/' } });
});
afterEach(() => vi.unstubAllGlobals());

const start = () => startLiteRt(new Uint8Array(8), { threads: 2, isolated: true });

describe('startLiteRt: each input travels in a buffer of its own, transferred both ways', () => {
  test("runs send a copy of the caller's input, transferred, and reuse the buffer handed back", async () => {
    const engine = await start();
    const helper = FakeHelper.last!;
    const input = Float32Array.of(1, 2, 3);
    const first = await engine.run(input);
    expect(Array.from(first.probs)).toEqual([6]);
    // The caller's array is left alone (it may be filled again at once) …
    expect(Array.from(input)).toEqual([1, 2, 3]);
    const sent = helper.runs[0]!;
    expect(sent.input).not.toBe(input);
    // … and the copy goes as a transfer, not a clone.
    expect(sent.transfer).toEqual([sent.input.buffer]);

    input.set([4, 5, 6]);
    const second = await engine.run(input);
    expect(Array.from(second.probs)).toEqual([15]);
    // The buffer the helper handed back carries the next photo: no new array.
    expect(helper.runs[1]!.input).toBe(sent.input);
    engine.dispose();
  });

  test('two photos in flight use two buffers', async () => {
    const engine = await start();
    const helper = FakeHelper.last!;
    const [a, b] = await Promise.all([
      engine.run(Float32Array.of(1, 1)),
      engine.run(Float32Array.of(2, 2)),
    ]);
    expect([a.probs[0], b.probs[0]]).toEqual([2, 4]);
    expect(helper.runs[0]!.input).not.toBe(helper.runs[1]!.input);
    engine.dispose();
  });

  test('an input of another length gets a buffer of its length', async () => {
    const engine = await start();
    const helper = FakeHelper.last!;
    await engine.run(Float32Array.of(1, 2));
    await engine.run(Float32Array.of(1, 2, 3, 4));
    expect(helper.runs[1]!.input.length).toBe(4);
    expect(Array.from(helper.runs[1]!.input)).toEqual([1, 2, 3, 4]);
    engine.dispose();
  });

  test('a failed run is an error, and its buffer still comes back for the next', async () => {
    const engine = await start();
    const helper = FakeHelper.last!;
    helper.failRuns = true;
    await expect(engine.run(Float32Array.of(1))).rejects.toThrow('LiteRT.js: no');
    helper.failRuns = false;
    await engine.run(Float32Array.of(7));
    expect(helper.runs[1]!.input).toBe(helper.runs[0]!.input);
    engine.dispose();
    expect(helper.terminated).toBe(true);
  });
});
