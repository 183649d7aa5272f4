import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Every feature folder, so a new one is fenced in the moment it exists.
const features = readdirSync(new URL('./src/features', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

export default tseslint.config(
  {
    ignores: [
      'dist',
      'dist-*',
      'node_modules',
      'e2e/.fixtures',
      'public/models',
      'test-results',
      'playwright-report',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.browser, ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Hooks live in .ts files too (use-model.ts, use-settings.ts…): every UI file is checked.
    files: ['src/**/*.tsx', 'src/app/**/*.ts', 'src/features/**/*.ts', 'src/lib/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    // The seam: inference code never touches React, and the UI never touches TensorFlow.js.
    files: ['src/inference/**', 'src/models/**', 'src/preprocess/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['react', 'react-dom', 'react/*'],
              message: 'inference/model code must not import React',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/app/**', 'src/features/**', 'src/lib/**', 'src/main.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@tensorflow/*'],
              message: 'the UI talks to TensorFlow.js only through the worker',
            },
            {
              // An allow-list: of the engine, the page sees only its door (client.ts) and the
              // message types (protocol.ts). Everything under its folders stays in the worker.
              group: ['**/inference/*', '!**/inference/client', '!**/inference/protocol'],
              message:
                'the UI imports only inference/client and inference/protocol from the engine',
            },
          ],
        },
      ],
    },
  },
  {
    // Of src/models the page may import only the TF.js-free data modules: everything else there
    // (the architectures, the .h5/tfjs formats, the zoo) pulls TensorFlow.js in transitively.
    // The typescript-eslint twin of no-restricted-imports is used on purpose: a second options
    // object for the core rule would replace the page block's patterns above, not add to them.
    files: ['src/app/**', 'src/features/**', 'src/lib/**', 'src/main.tsx'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/models/**',
                '!**/models/registry',
                '!**/models/weight-precision',
                '!**/models/imagenet-labels',
              ],
              message:
                'the UI imports only models/registry, models/weight-precision and models/imagenet-labels (the rest loads TensorFlow.js)',
            },
          ],
        },
      ],
    },
  },
  {
    // Page-side boundaries and cycles, resolved on real paths (import-x), so they sit beside the
    // `no-restricted-imports` blocks above instead of replacing them.
    files: ['src/**/*.{ts,tsx}'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.tsx', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js'] })],
    },
    rules: {
      // A cycle makes load order matter and hides which module owns what (type-only imports
      // are erased at build time and do not count).
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            // Features never import each other: what two features share lives in src/lib.
            ...features.map((feature) => ({
              target: `./src/features/${feature}`,
              from: './src/features',
              except: [`./${feature}`],
              message: 'features never import each other; share code through src/lib',
            })),
            {
              target: './src/features',
              from: './src/app',
              message: 'the shell composes features, never the other way round',
            },
            {
              target: './src/lib',
              from: ['./src/app', './src/features'],
              message: 'src/lib is shared by features and knows none of them',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
