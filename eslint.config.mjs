// Lint: typescript-eslint with type information, plus the layering rules of the project (DESIGN.md §2):
// src/domain is pure, src/app depends only on its own ports, ari-client lives in src/ari alone.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.sandbox/**', 'data/**', 'eslint.config.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'error',
    },
  },
  // Later blocks replace this rule for src/domain and src/app with stricter lists that include it.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/ari/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'ari-client', message: 'only src/ari imports ari-client' }] }],
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/app/**', '**/ari/**', '**/store/**', '**/cli/**', '**/metrics/**', '**/tickets/**'], message: 'src/domain is pure.' },
            { group: ['ari-client', 'better-sqlite3', 'node-cron', 'winston', 'node:*', 'pg'], message: 'src/domain is pure: no I/O.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'setTimeout', message: 'timers belong to the app layer' }, { name: 'setInterval', message: 'timers belong to the app layer' }],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'the domain takes `now` as a parameter' }],
    },
  },
  {
    files: ['src/app/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/ari/**', '**/store/**', '**/cli/**', '**/tickets/**', '**/metrics/**'], message: 'src/app depends on its ports only (src/app/ports).' },
            { group: ['ari-client', 'better-sqlite3', 'pg'], message: 'src/app depends on its ports only.' },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-expressions': 'off', // chai: expect(x).to.be.true
      '@typescript-eslint/no-non-null-assertion': 'off',
      // JSON read back from the CLI's output and from SQLite rows is `any` by nature in assertions.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/unbound-method': 'off',
      'no-console': 'off',
    },
  },
);
