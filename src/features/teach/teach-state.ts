/**
 * What the Teach view knows about the user's classes and example photos, as a pure reducer. The
 * page keeps names, thumbnails and the original files (small references, so examples can be sent
 * again if the worker restarts); the pixels themselves live in the worker.
 */
import type { TrainExampleRef } from '../../inference/protocol';

/** A class the user teaches. */
export interface TeachClass {
  id: string;
  name: string;
}

/** One example photo of a class. */
export interface TeachExample {
  id: string;
  classId: string;
  /** file name (or "pasted photo", "camera photo") */
  name: string;
  thumbnailUrl: string;
  /** the original file, kept to send it again after a worker restart */
  source: Blob;
  /** whether the worker holds its pixels */
  inWorker: boolean;
}

/** Everything the Teach view shows about the data. */
export interface TeachState {
  classes: TeachClass[];
  examples: TeachExample[];
  /** the class that paste and the camera add to */
  activeClassId: string | null;
  /** photos being prepared right now */
  adding: number;
  /** the latest problems with added files, e.g. "notes.txt: not an image" */
  problems: string[];
}

/** Changes to the Teach data. */
export type TeachAction =
  | { type: 'add-class'; id: string; name: string }
  | { type: 'rename-class'; id: string; name: string }
  | { type: 'remove-class'; id: string }
  | { type: 'select-class'; id: string }
  | { type: 'adding'; delta: number }
  | { type: 'examples-added'; examples: TeachExample[] }
  | { type: 'example-removed'; id: string }
  | { type: 'worker-lost' }
  | { type: 'in-worker'; ids: string[] }
  | { type: 'problems'; problems: string[] };

/** Two classes to start with. */
export function initialTeachState(): TeachState {
  return {
    classes: [
      { id: 'class-1', name: 'Class 1' },
      { id: 'class-2', name: 'Class 2' },
    ],
    examples: [],
    activeClassId: 'class-1',
    adding: 0,
    problems: [],
  };
}

/** Most classes one model can be taught here. */
export const MAX_CLASSES = 50;

/** Says what is wrong with a class name, or null when it can be used. */
export function classNameProblem(
  name: string,
  classes: readonly TeachClass[],
  exceptId?: string,
): string | null {
  const clean = name.trim();
  if (!clean) return 'A class needs a name.';
  if (clean.length > 60) return 'Keep class names under 60 characters.';
  const taken = classes.some(
    (c) => c.id !== exceptId && c.name.trim().toLowerCase() === clean.toLowerCase(),
  );
  return taken ? `There is already a class called “${clean}”.` : null;
}

/** A free default name: "Class 3" and so on. */
export function nextClassName(classes: readonly TeachClass[]): string {
  for (let n = classes.length + 1; ; n++) {
    const name = `Class ${n}`;
    if (!classNameProblem(name, classes)) return name;
  }
}

/** Number of examples per class id. */
export function countsByClass(state: TeachState): Map<string, number> {
  const counts = new Map(state.classes.map((c) => [c.id, 0]));
  for (const e of state.examples) counts.set(e.classId, (counts.get(e.classId) ?? 0) + 1);
  return counts;
}

/** What training needs, or the reason it cannot start yet. */
export function trainingSet(
  state: TeachState,
): { classNames: string[]; examples: TrainExampleRef[] } | { problem: string } {
  if (state.classes.length < 2) return { problem: 'Create at least two classes.' };
  const counts = countsByClass(state);
  const empty = state.classes.filter((c) => !counts.get(c.id));
  if (empty.length > 0) {
    return { problem: `Add photos to ${empty.map((c) => `“${c.name}”`).join(', ')}.` };
  }
  for (const c of state.classes) {
    const problem = classNameProblem(c.name, state.classes, c.id);
    if (problem) return { problem };
  }
  const index = new Map(state.classes.map((c, i) => [c.id, i]));
  return {
    classNames: state.classes.map((c) => c.name.trim()),
    examples: state.examples.map((e) => ({ id: e.id, label: index.get(e.classId) ?? -1 })),
  };
}

/** The Teach reducer. */
export function teachReducer(state: TeachState, action: TeachAction): TeachState {
  switch (action.type) {
    case 'add-class':
      if (state.classes.length >= MAX_CLASSES) return state;
      return {
        ...state,
        classes: [...state.classes, { id: action.id, name: action.name }],
        activeClassId: action.id,
      };
    case 'rename-class':
      return {
        ...state,
        classes: state.classes.map((c) => (c.id === action.id ? { ...c, name: action.name } : c)),
      };
    case 'remove-class': {
      const classes = state.classes.filter((c) => c.id !== action.id);
      return {
        ...state,
        classes,
        examples: state.examples.filter((e) => e.classId !== action.id),
        activeClassId:
          state.activeClassId === action.id ? (classes[0]?.id ?? null) : state.activeClassId,
      };
    }
    case 'select-class':
      return state.classes.some((c) => c.id === action.id)
        ? { ...state, activeClassId: action.id }
        : state;
    case 'adding':
      return { ...state, adding: Math.max(0, state.adding + action.delta) };
    case 'examples-added': {
      const known = new Set(state.classes.map((c) => c.id));
      return {
        ...state,
        examples: [...state.examples, ...action.examples.filter((e) => known.has(e.classId))],
      };
    }
    case 'example-removed':
      return { ...state, examples: state.examples.filter((e) => e.id !== action.id) };
    case 'worker-lost':
      return { ...state, examples: state.examples.map((e) => ({ ...e, inWorker: false })) };
    case 'in-worker': {
      const ids = new Set(action.ids);
      return {
        ...state,
        examples: state.examples.map((e) => (ids.has(e.id) ? { ...e, inWorker: true } : e)),
      };
    }
    case 'problems':
      return { ...state, problems: action.problems };
  }
}
