// Layering is enforced here, not by good intentions (see docs/architecture.md):
//   shared/          pure contract: no Node, no DOM, no electron, nothing from electron/ or renderer/
//   electron/core/   plain Node: never `electron`, never renderer/
//   electron/cli/    plain Node: never `electron`, never renderer/
//   electron/main/, electron/preload/   the desktop shell: may use electron
//   renderer/        browser only: imports shared/ and browser packages, never Node, electron or electron/
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', 'crypto', 'net', 'tls', 'http', 'https', 'stream', 'stream/*', 'events', 'url', 'util', 'zlib', 'worker_threads', 'buffer'];
const restrict = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: patterns.map((group) => ({ group: [group], message })) }],
});

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'e2e/artifacts/**', 'test-results/**', 'bench/.data/**', '**/*.cjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: restrict(['electron', 'electron/*', ...nodeBuiltins, '**/electron/**', '**/renderer/**', 'react', 'react-dom'], 'shared/ is the pure contract: no Node, DOM, electron, or app code.'),
  },
  {
    files: ['electron/core/**/*.ts', 'electron/cli/**/*.ts'],
    rules: restrict(['electron', 'electron/*', '**/renderer/**', '**/main/**', '**/preload/**'], 'The core and the CLI are plain Node: never electron, the shell or the renderer.'),
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: restrict(['electron', 'electron/*', ...nodeBuiltins, '**/electron/**'], 'The renderer talks only through the API contract in shared/.'),
  },
);
