import { describe, expect, it } from 'vitest';
import { example } from './teach-test-kit';
import { formatCount, formatDuration, formatPercent } from './format';
import {
  classNameProblem,
  countsByClass,
  initialTeachState,
  MAX_CLASSES,
  nextClassName,
  teachReducer,
  trainingSet,
  type TeachAction,
  type TeachState,
} from './teach-state';

function run(...actions: TeachAction[]): TeachState {
  return actions.reduce(teachReducer, initialTeachState());
}

describe('Teach state', () => {
  it('starts with two classes, the first one selected', () => {
    const s = initialTeachState();
    expect(s.classes.map((c) => c.name)).toEqual(['Class 1', 'Class 2']);
    expect(s.activeClassId).toBe('class-1');
  });

  it('adds, renames, selects and removes classes (with their photos)', () => {
    const s = run(
      { type: 'add-class', id: 'c3', name: 'Class 3' },
      { type: 'rename-class', id: 'c3', name: 'cats' },
      { type: 'examples-added', examples: [example('a', 'c3'), example('b', 'class-1')] },
      { type: 'select-class', id: 'class-2' },
    );
    expect(s.classes.map((c) => c.name)).toEqual(['Class 1', 'Class 2', 'cats']);
    expect(s.activeClassId).toBe('class-2');
    expect(countsByClass(s)).toEqual(
      new Map([
        ['class-1', 1],
        ['class-2', 0],
        ['c3', 1],
      ]),
    );
    const removed = teachReducer(teachReducer(s, { type: 'select-class', id: 'c3' }), {
      type: 'remove-class',
      id: 'c3',
    });
    expect(removed.examples.map((e) => e.id)).toEqual(['b']);
    expect(removed.activeClassId).toBe('class-1');
    // selecting a class that does not exist changes nothing
    expect(teachReducer(removed, { type: 'select-class', id: 'nope' })).toBe(removed);
  });

  it('ignores photos for a class removed while they were being prepared', () => {
    const s = run({ type: 'examples-added', examples: [example('x', 'gone')] });
    expect(s.examples).toEqual([]);
  });

  it('tracks which photos the worker holds', () => {
    const s = run(
      { type: 'examples-added', examples: [example('a', 'class-1'), example('b', 'class-2')] },
      { type: 'worker-lost' },
      { type: 'in-worker', ids: ['b'] },
    );
    expect(s.examples.map((e) => e.inWorker)).toEqual([false, true]);
  });

  it('counts photos being added and never goes below zero', () => {
    expect(run({ type: 'adding', delta: 3 }, { type: 'adding', delta: -1 }).adding).toBe(2);
    expect(run({ type: 'adding', delta: -5 }).adding).toBe(0);
  });

  it('stops adding classes at the limit', () => {
    let s = initialTeachState();
    for (let i = 0; i < MAX_CLASSES + 5; i++) {
      s = teachReducer(s, { type: 'add-class', id: `x${i}`, name: nextClassName(s.classes) });
    }
    expect(s.classes).toHaveLength(MAX_CLASSES);
  });

  it('checks class names: empty, too long, or taken (ignoring case)', () => {
    const { classes } = initialTeachState();
    expect(classNameProblem('  ', classes)).toBe('A class needs a name.');
    expect(classNameProblem('x'.repeat(61), classes)).toMatch(/under 60/);
    expect(classNameProblem('class 2', classes, 'class-1')).toBe(
      'There is already a class called “class 2”.',
    );
    expect(classNameProblem('Class 1', classes, 'class-1')).toBeNull();
    expect(nextClassName(classes)).toBe('Class 3');
  });

  it('says what is missing before training, then lists examples with class indices', () => {
    let s = initialTeachState();
    expect(trainingSet(s)).toEqual({ problem: 'Add photos to “Class 1”, “Class 2”.' });
    s = teachReducer(s, {
      type: 'examples-added',
      examples: [example('a', 'class-1'), example('b', 'class-2'), example('c', 'class-2')],
    });
    expect(trainingSet(s)).toEqual({
      classNames: ['Class 1', 'Class 2'],
      examples: [
        { id: 'a', label: 0 },
        { id: 'b', label: 1 },
        { id: 'c', label: 1 },
      ],
    });
    const clash = teachReducer(s, { type: 'rename-class', id: 'class-2', name: 'class 1' });
    expect(trainingSet(clash)).toEqual({ problem: 'There is already a class called “Class 1”.' });
    const one = teachReducer(s, { type: 'remove-class', id: 'class-2' });
    expect(trainingSet(one)).toEqual({ problem: 'Create at least two classes.' });
  });
});

describe('formatting', () => {
  it('formats counts, durations and percentages', () => {
    expect(formatCount(21802784)).toBe('21,802,784');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_340)).toBe('12.3 s');
    expect(formatDuration(245_000)).toBe('4 min 05 s');
    expect(formatDuration(7_380_000)).toBe('2 h 03 min');
    expect(formatDuration(NaN)).toBe('—');
    expect(formatPercent(0.9567)).toBe('95.7 %');
  });
});
