import { describe, expect, test } from 'vitest';
import { longestFrames, splitPick } from './bench-library';

describe('the library bench splits its long tasks at the pick', () => {
  // picked at 1,000 ms; the browser's FileList ran 1,000–1,800 ms, the change event at 1,700 ms
  const pickTask = { start: 1000, ms: 800, done: 0 };
  const tasks = [
    { start: 200, ms: 300, done: 0 }, // before the pick (the model's load): not counted
    pickTask,
    { start: 2500, ms: 64, done: 3 },
    { start: 9000, ms: 51, done: 40 },
  ];
  const frames = [
    { start: 1000, ms: 830, done: 0 },
    { start: 3000, ms: 120, done: 5 },
    { start: 4000, ms: 70, done: 9 },
  ];

  test("the task holding the change event is the pick's; the rest are judged apart", () => {
    const split = splitPick(tasks, frames, 1000, 1700);
    expect(split.pickTask).toEqual({ ms: 800, beforeChangeMs: 700 });
    expect(split.longestTaskAfterPickMs).toBe(64);
    expect(split.longestFrameAfterPickMs).toBe(120);
    expect(split.framesOver100AfterPick).toBe(1);
  });

  test('a long task after the pick is not hidden by the split', () => {
    const split = splitPick([...tasks, { start: 5000, ms: 400, done: 20 }], frames, 1000, 1700);
    expect(split.longestTaskAfterPickMs).toBe(400);
  });

  test('no change event seen: nothing is taken out', () => {
    const split = splitPick(tasks, frames, 1000, 0);
    expect(split.pickTask).toBeNull();
    expect(split.longestTaskAfterPickMs).toBe(800);
    expect(split.longestFrameAfterPickMs).toBe(830);
  });
});

describe('the library bench names its longest frames after the pick', () => {
  const frames = [
    { start: 500, ms: 900, done: 0 }, // before the pick: not listed
    {
      start: 1500,
      ms: 120,
      done: 2,
      scripts: [{ ms: 40, forcedLayoutMs: 9, invoker: 'a', fn: '' }],
    },
    {
      start: 2500,
      ms: 300,
      done: 7,
      scripts: [
        { ms: 30, forcedLayoutMs: 0, invoker: 'b', fn: 'f' },
        { ms: 20, forcedLayoutMs: 0, invoker: 'c', fn: '' },
      ],
    },
    { start: 3500, ms: 80, done: 9 },
  ];

  test('longest first, placed after the pick, with the script time summed', () => {
    const top = longestFrames(frames, 1000, 2);
    expect(top.map((f) => [f.atMs, f.ms, f.scriptMs])).toEqual([
      [1500, 300, 50],
      [500, 120, 40],
    ]);
    expect(top[1]!.scripts[0]!.forcedLayoutMs).toBe(9);
  });

  test('a frame without script entries counts none', () => {
    expect(longestFrames(frames, 3000, 5)).toEqual([
      { atMs: 500, ms: 80, done: 9, scriptMs: 0, renderMs: 0, scripts: [] },
    ]);
  });
});
