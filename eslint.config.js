import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    // snowflake/connection.ts imports runtime.ts before the SDK, whose module body must not run without the
    // switches runtime.ts sets (cloud metadata probes): no other module of the action may load it.
    files: ['src/**'],
    ignores: ['src/snowflake/connection.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'snowflake-sdk',
              message:
                'Load the Snowflake driver through src/snowflake/connection.ts, which sets runtime.ts first',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['__tests__/**', 'scripts/**'],
    languageOptions: { globals: { ...globals.jest } },
    rules: { 'no-console': 'off' },
  },
);
