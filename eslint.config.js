// ESLint flat config: enforces the layout of DESIGN.md and the habits of STYLE.md.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import jsdoc from 'eslint-plugin-jsdoc';
import tsdoc from 'eslint-plugin-tsdoc';

/** Rejects shortcoming markers (the three usual words) that do not name an issue as (#N). */
const todoRule = {
  meta: { type: 'problem', schema: [] },
  create(context) {
    return {
      Program() {
        for (const comment of context.sourceCode.getAllComments()) {
          const bare = /\b(TODO|FIXME|XXX)\b(?!\(#\d+\))/.exec(comment.value);
          if (bare) {
            context.report({
              loc: comment.loc,
              message: `'${bare[1]}' must name its issue: write 'TODO(#N): reason'.`,
            });
          }
        }
      },
    };
  },
};

// src/tf/index is a second public entry of src/: the TF.js loader, kept out of src/index so that
// importing the RL core never loads TensorFlow.js.
const noDeep = (folder) => ({
  group: [
    `**/${folder}/*`,
    `!**/${folder}/index`,
    `!**/${folder}/index.js`,
    `!**/src/tf`,
    `!**/src/tf/index`,
  ],
  message: `Import '${folder}/' through its index.ts only (no deep imports across folders).`,
});
const banFolders = (folders, why) =>
  folders.map((f) => ({ group: [`**/${f}`, `**/${f}/**`], message: why }));

const libraryCode = ['src/**/*.ts', 'envs/**/*.ts', 'agents/**/*.ts', 'supervised/**/*.ts'];

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'runs/**', 'dist/**', 'viewer/client/dist/**', 'coverage/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Plain JavaScript files (the bin launcher, this config) run in Node.
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly' },
    },
  },
  {
    plugins: { local: { rules: { 'todo-issue': todoRule } } },
    rules: {
      'local/todo-issue': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: libraryCode,
    ignores: ['src/cli/**'],
    rules: {
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Draw from the seeded Rng (src/rng.ts).' },
      ],
    },
  },
  {
    files: [...libraryCode, 'viewer/**/*.ts'],
    plugins: { jsdoc, tsdoc },
    rules: {
      'tsdoc/syntax': 'warn',
      'jsdoc/require-jsdoc': [
        'error',
        {
          publicOnly: true,
          require: { FunctionDeclaration: true, ClassDeclaration: true, MethodDefinition: false },
          contexts: ['TSInterfaceDeclaration', 'TSTypeAliasDeclaration', 'TSEnumDeclaration'],
        },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/cli/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: banFolders(
            ['envs', 'agents', 'supervised', 'viewer'],
            'src/ imports nothing outside src/ (DESIGN.md); only src/cli/ may.',
          ),
        },
      ],
    },
  },
  {
    files: ['envs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...banFolders(['agents', 'supervised', 'viewer'], 'envs/ imports src/ only.'),
            noDeep('src'),
          ],
        },
      ],
    },
  },
  {
    files: ['agents/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...banFolders(
              ['envs', 'supervised', 'viewer'],
              'agents/ import src/ only, never envs/.',
            ),
            noDeep('src'),
          ],
        },
      ],
    },
  },
  {
    files: ['supervised/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...banFolders(['envs', 'agents', 'viewer'], 'supervised/ imports src/ only.'),
            noDeep('src'),
          ],
        },
      ],
    },
  },
  {
    files: ['viewer/server/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'pixi.js', message: 'The server never imports PixiJS.' }],
          patterns: [
            ...banFolders(['envs', 'agents', 'supervised'], 'viewer/server imports src/ only.'),
            noDeep('src'),
          ],
        },
      ],
    },
  },
  {
    files: ['viewer/client/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: banFolders(
            ['envs', 'agents', 'supervised', 'server'],
            'The client takes recording types only (import type from src/recording).',
          ),
        },
      ],
    },
  },
);
