/**
 * The one store pattern of the page: a feature describes its state as a pure reducer
 * (`<feature>-state.ts`, unit-tested without React), keeps it in a {@link Store}, and components
 * read it with {@link useStore}. A store lives for the page session when it is made at module
 * level (Teach keeps its photos and run while another view is open), or for a component's life
 * when it is made inside {@link useLocalStore}.
 *
 * What goes in a store: a feature's data and the transitions on it (photos, cards, a training
 * run, settings). What stays in `useState`: one component's passing UI state that no other
 * component reads and no test needs without React (an input's text, a disclosure's open flag,
 * a dialog's busy label), as in the Models view, the "Why?" dialog and the PWA status.
 */
import { useState, useSyncExternalStore } from 'react';

/** A reducer's state with React-friendly subscribe / getState. */
export interface Store<S, A> {
  getState: () => S;
  dispatch: (action: A) => void;
  subscribe: (listener: () => void) => () => void;
}

/** Makes a store around a pure reducer; listeners hear only real changes (a new state object). */
export function createStore<S, A>(reducer: (state: S, action: A) => S, initial: S): Store<S, A> {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    getState: () => state,
    dispatch(action) {
      const next = reducer(state, action);
      if (next === state) return;
      state = next;
      for (const listener of listeners) listener();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The store's state, re-rendering on change. */
export function useStore<S, A>(store: Store<S, A>): S {
  return useSyncExternalStore(store.subscribe, store.getState);
}

/**
 * One value derived from the store, re-rendering only when that value changes (`Object.is`):
 * `select` must return a primitive or an object it keeps (not a fresh one each call).
 */
export function useStoreSelector<S, A, T>(store: Store<S, A>, select: (state: S) => T): T {
  return useSyncExternalStore(store.subscribe, () => select(store.getState()));
}

/** A store that lives as long as the calling component, made once from `reducer` and `initial`. */
export function useLocalStore<S, A>(
  reducer: (state: S, action: A) => S,
  initial: () => S,
): Store<S, A> {
  const [store] = useState(() => createStore(reducer, initial()));
  return store;
}
