// Lint rules: the recommended sets of ESLint and typescript-eslint with type information (so
// promises nobody awaits are caught), the few habits the project keeps, and the layering of
// src/ written as import rules per folder, so a wrong import fails `npm run lint`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** An import rule for one layer: `regex` matches the import paths the layer must not use. */
function layer(files, restrictions) {
  return {
    files,
    rules: {
      'no-restricted-imports': ['error', { patterns: restrictions.map(([regex, message]) => ({ regex, message })) }],
    },
  };
}

const noWeb = ['^fastify$|^@fastify/|/web/', 'The web layer (Fastify, routes) is not imported here: see "How it is built" in README.md.'];
const noStore = ['/store/|/db/|^kysely$|^better-sqlite3$', 'The database is not touched here: the store (src/store/) holds every query.'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'test/artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', Buffer: 'readonly', URL: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', TextDecoder: 'readonly', TextEncoder: 'readonly', setImmediate: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', performance: 'readonly', structuredClone: 'readonly', URLSearchParams: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
      eqeqeq: ['error', 'smart'],
      'no-restricted-syntax': ['error', { selector: "CallExpression[callee.property.name='only']", message: 'Focused tests hide the rest of the suite.' }],
    },
  },
  {
    // Type-aware rules: a promise nobody awaits loses its error and outlives its request.
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: { allowDefaultProject: ['vitest*.config.ts'] }, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
    },
  },
  // The layers of src/ (README, "How it is built"): each folder names what it must not import.
  layer(['src/domain/**/*.ts'], [['^\\.\\./|^fastify$|^kysely$', 'The domain is the bottom layer: it imports no other part of Palaver.']]),
  layer(['src/reader/**/*.ts'], [noStore, noWeb, ['/threading/|/ingest/|/poller/|/inbound/|/websub/', 'The pull side fetches and reads; it knows nothing of what happens to what it read.']]),
  layer(['src/threading/**/*.ts'], [noStore, noWeb, ['/ingest/|/poller/|/inbound/|/websub/|/feeds/|/views/', 'Threading decides from its inputs alone: pure functions, applied by src/ingest/.']]),
  layer(['src/views/**/*.ts'], [noStore, noWeb]),
  layer(['src/store/**/*.ts'], [['^\\.\\./(?!db/|domain/)|^fastify$|^@fastify/', 'The store imports only db/ and domain/: it applies decisions, it does not make them.']]),
  layer(['src/feeds/**/*.ts', 'src/inbound/**/*.ts', 'src/registry/**/*.ts', 'src/ingest/**/*.ts', 'src/poller/**/*.ts', 'src/websub/**/*.ts', 'src/xmlrpc/**/*.ts'], [noWeb]),
  {
    // The one script the pages load runs in the browser, as a classic script.
    files: ['src/views/palaver.js'],
    languageOptions: { sourceType: 'script', globals: { window: 'readonly', document: 'readonly', navigator: 'readonly', Intl: 'readonly', Promise: 'readonly' } },
  },
);
