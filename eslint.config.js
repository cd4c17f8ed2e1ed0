import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'bench/results/', 'test/fixtures/', 'test/.tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // A route asks for a role only through the guard, which takes the publication the data belongs to (src/web/README.md).
    files: ['src/web/**/*.ts'],
    ignores: ['src/web/auth/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/auth/accounts.ts'], importNames: ['hasRole', 'roleIn'], message: 'Ask for a role with requireRole or allows (auth/guard.ts).' }] },
      ],
    },
  },
);
