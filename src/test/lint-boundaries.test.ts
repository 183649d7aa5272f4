/**
 * Proves that the import boundaries in eslint.config.js fire: each case lints a small snippet
 * as if it lived at a page or feature path and checks which rule reports it. Allowed imports are
 * linted too, so a rule that fired on everything would fail here as well.
 */
import { ESLint, type Linter } from 'eslint';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import tseslint from 'typescript-eslint';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({
    cwd: ROOT,
    // The snippets are not files TypeScript knows, and the boundary rules need no types: turning
    // the type-checked rules off keeps each lint to milliseconds instead of a program build.
    overrideConfig: tseslint.configs.disableTypeChecked as Linter.Config,
  });
});

/** The rule ids reported for `code` linted as if it were the file at `path` (repo-relative). */
async function rulesFor(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, path) });
  const fatal = result!.messages.filter((m) => m.fatal);
  expect(fatal, 'the snippet must parse').toEqual([]);
  return result!.messages.map((m) => m.ruleId ?? '');
}

describe('page-side import boundaries', () => {
  test('a feature importing another feature is refused; its own files and src/lib are not', async () => {
    const path = 'src/features/gallery/probe.ts';
    expect(
      await rulesFor(path, "export { ModelLibrary } from '../model-library/model-library';\n"),
    ).toContain('import-x/no-restricted-paths');
    expect(await rulesFor(path, "export * from './gallery-state';\n")).toEqual([]);
    expect(await rulesFor(path, "export * from '../../lib/model-selection';\n")).toEqual([]);
  });

  test('the page importing an engine file other than client/protocol is refused', async () => {
    const path = 'src/app/probe.ts';
    expect(await rulesFor(path, "export * from '../inference/train/model';\n")).toContain(
      'no-restricted-imports',
    );
    expect(await rulesFor(path, "export * from '../inference/classify/top-k';\n")).toContain(
      'no-restricted-imports',
    );
    expect(await rulesFor(path, "export * from '../inference/client';\n")).toEqual([]);
    expect(await rulesFor(path, "export * from '../inference/protocol';\n")).toEqual([]);
  });

  test('the page importing TensorFlow.js is refused', async () => {
    for (const path of ['src/lib/probe.ts', 'src/features/teach/probe.tsx', 'src/main.tsx']) {
      expect(await rulesFor(path, "export * as tf from '@tensorflow/tfjs';\n")).toContain(
        'no-restricted-imports',
      );
    }
  });

  test('the page imports only the TF.js-free modules of src/models', async () => {
    const path = 'src/features/model-library/probe.ts';
    const refused = [
      '../../models/zoo/zoo',
      '../../models/zoo',
      '../../models/zoo/inception-v3',
      '../../models/tfjs-artifacts',
      '../../models/keras-h5-inception',
    ];
    for (const from of refused) {
      expect(await rulesFor(path, `export * from '${from}';\n`), from).toContain(
        '@typescript-eslint/no-restricted-imports',
      );
    }
    for (const from of [
      '../../models/registry',
      '../../models/weight-precision',
      '../../models/imagenet-labels',
    ]) {
      expect(await rulesFor(path, `export * from '${from}';\n`), from).toEqual([]);
    }
  });
});

describe('cycles', () => {
  // import-x/no-cycle follows imports on disk, so this case needs two real files; they live in
  // a uniquely named folder under src/lib (where the rule applies) and are removed afterwards.
  const dir = join(ROOT, 'src', 'lib', `lint-cycle-probe-${process.pid}`);

  beforeAll(() => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'a.ts'),
      "import { b } from './b';\nexport const a = (): number => b;\n",
    );
    writeFileSync(join(dir, 'b.ts'), "import { a } from './a';\nexport const b = a.length;\n");
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('two modules importing each other are reported', async () => {
    const code = "import { b } from './b';\nexport const a = (): number => b;\n";
    expect(await rulesFor(`src/lib/lint-cycle-probe-${process.pid}/a.ts`, code)).toContain(
      'import-x/no-cycle',
    );
    // The same file without the import back is fine, so the rule is not firing on everything.
    expect(
      await rulesFor(`src/lib/lint-cycle-probe-${process.pid}/c.ts`, "export * from './b';\n"),
    ).not.toContain('import-x/no-cycle');
  });
});
