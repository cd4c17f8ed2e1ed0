import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { layerBlocks, layerPatterns } from './eslint-layers.js';

// A route asks for a role only through the guard, which takes the publication the data belongs to (src/web/README.md).
const roleOnlyThroughGuard = {
  group: ['**/auth/accounts.ts'],
  importNames: ['hasRole', 'roleIn'],
  message: 'Ask for a role with requireRole or allows (auth/guard.ts).',
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'dist.next/', 'dist.old/', 'data/', 'bench/results/', 'test/fixtures/', 'test/.tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  // The layers (eslint-layers.js): an import going up a layer is an error.
  ...layerBlocks({ extraPatterns: (entry) => (entry === 'web' ? [roleOnlyThroughGuard] : []) }),
  // The guard itself and the accounts module may use the role checks.
  { files: ['src/web/auth/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: layerPatterns('web', 2) }] } },
);
