import { describe, expect, test } from 'vitest';
import { createStore } from './store';

type Action = { type: 'add'; n: number } | { type: 'noop' };
const reducer = (state: { total: number }, action: Action) =>
  action.type === 'add' ? { total: state.total + action.n } : state;

describe('createStore', () => {
  test('dispatch runs the reducer and tells listeners only about real changes', () => {
    const store = createStore(reducer, { total: 1 });
    const heard: number[] = [];
    const off = store.subscribe(() => heard.push(store.getState().total));
    store.dispatch({ type: 'add', n: 2 });
    store.dispatch({ type: 'noop' });
    expect(heard).toEqual([3]);
    off();
    store.dispatch({ type: 'add', n: 1 });
    expect(heard).toEqual([3]);
    expect(store.getState().total).toBe(4);
  });
});
