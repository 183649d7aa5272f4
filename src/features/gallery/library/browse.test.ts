import { describe, expect, test } from 'vitest';
import {
  browse,
  countByTop1,
  DEFAULT_BROWSE,
  folderOf,
  libraryCountText,
  matchesQuery,
  synonyms,
  type Browsable,
} from './browse';

function photo(path: string, labels: [string, number][], lastModified = 0): Browsable {
  return {
    name: path.split('/').pop()!,
    path,
    status: 'done',
    lastModified,
    predictions: labels.map(([label, probability], index) => ({ index, label, probability })),
  };
}

const cat = photo(
  'pets/b-cat.jpg',
  [
    ['tabby, tabby cat', 0.9],
    ['Egyptian cat', 0.05],
    ['lynx', 0.01],
  ],
  3,
);
const dog = photo(
  'pets/a-dog.jpg',
  [
    ['malamute', 0.4],
    ['Eskimo dog, husky', 0.3],
    ['tabby, tabby cat', 0.01],
  ],
  5,
);
const car = photo(
  'cars/car10.jpg',
  [
    ['sports car, sport car', 0.7],
    ['racer', 0.1],
    ['convertible', 0.1],
    ['cab, hack, taxi', 0.05],
  ],
  1,
);
const car2 = photo('cars/car9.jpg', [['sports car, sport car', 0.6]], 2);
const queued: Browsable = { name: 'later.jpg', path: 'later.jpg', status: 'queued' };
const all = [cat, dog, car, queued, car2];

describe('label search', () => {
  test('any synonym of the top-3 matches, case-insensitively; the 4th label does not', () => {
    expect(synonyms('Eskimo dog, husky')).toEqual(['eskimo dog', 'husky']);
    expect(matchesQuery(dog, 'HUSKY')).toBe(true);
    expect(matchesQuery(dog, 'tabby cat')).toBe(true); // third label
    expect(matchesQuery(car, 'sport car')).toBe(true);
    expect(matchesQuery(car, 'taxi')).toBe(false); // fourth
    expect(browse(all, { ...DEFAULT_BROWSE, query: 'cat' }).map((p) => p.name)).toEqual([
      'b-cat.jpg',
      'a-dog.jpg',
    ]);
  });
  test('no filter shows everything, unfinished photos included, in the order added', () => {
    expect(browse(all, DEFAULT_BROWSE)).toEqual(all);
  });
});

describe('filters', () => {
  test('confidence floor, one top-1 label, not sure', () => {
    expect(browse(all, { ...DEFAULT_BROWSE, minConfidence: 0.65 }).map((p) => p.name)).toEqual([
      'b-cat.jpg',
      'car10.jpg',
    ]);
    expect(
      browse(all, { ...DEFAULT_BROWSE, label: 'sports car, sport car' }).map((p) => p.name),
    ).toEqual(['car10.jpg', 'car9.jpg']);
    expect(browse(all, { ...DEFAULT_BROWSE, notSure: true }).map((p) => p.name)).toEqual([
      'a-dog.jpg',
    ]);
  });
});

describe('sorting', () => {
  const names = (sort: (typeof DEFAULT_BROWSE)['sort']) =>
    browse(all, { ...DEFAULT_BROWSE, sort }).map((p) => p.name);
  test('confidence (unfinished last), name (numbers in order), folder, date', () => {
    expect(names('confidence')).toEqual([
      'b-cat.jpg',
      'car10.jpg',
      'car9.jpg',
      'a-dog.jpg',
      'later.jpg',
    ]);
    expect(names('name')).toEqual(['a-dog.jpg', 'b-cat.jpg', 'car9.jpg', 'car10.jpg', 'later.jpg']);
    expect(names('folder')).toEqual([
      'later.jpg',
      'car9.jpg',
      'car10.jpg',
      'a-dog.jpg',
      'b-cat.jpg',
    ]);
    expect(names('date')).toEqual(['a-dog.jpg', 'b-cat.jpg', 'car9.jpg', 'car10.jpg', 'later.jpg']);
    expect(folderOf(cat)).toBe('pets');
    expect(folderOf(queued)).toBe('');
  });
});

describe('countByTop1', () => {
  test('counts finished photos by top-1 label, most first', () => {
    expect(countByTop1(all)).toEqual([
      { label: 'sports car, sport car', count: 2 },
      { label: 'malamute', count: 1 },
      { label: 'tabby, tabby cat', count: 1 },
    ]);
  });
});

describe('the library count', () => {
  test('says only how many are shown, when a search or filter hides some (done is said once, elsewhere)', () => {
    expect(libraryCountText(3, 3)).toBe('');
    expect(libraryCountText(240, 12)).toBe('12 of 240 shown');
    expect(libraryCountText(3, 3)).not.toMatch(/done/);
  });
});
