import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// The layers, bottom up (CONTRIBUTING.md, Architecture), as the files of each and the import paths that reach them.
const FOUNDATIONS = [
  'src/errors.ts',
  'src/mask.ts',
  'src/exit.ts',
  'src/steps.ts',
  'src/keys.ts',
  'src/workspace.ts',
  'src/parse.ts',
  'src/runtime.ts',
];
const SERVICES = ['src/snowflake/**', 'src/github/**', 'src/access-spec/**'];
const CONFIGURATION = ['src/config.ts', 'src/inputs/**'];
const MODES = ['src/modes/**'];
const OUTPUT = ['src/report/**', 'src/main.ts', 'src/index.ts'];

// The import paths that reach the given source files: a folder's modules, or one module by its .js name.
function importPatterns(files) {
  return files.map((file) =>
    file.endsWith('/**') ? `**/${file.slice(4, -3)}/*` : `**/${file.slice(4).replace(/\.ts$/, '.js')}`,
  );
}

const SDK = {
  name: 'snowflake-sdk',
  message: 'Load the Snowflake driver through src/snowflake/connection.ts, which sets runtime.ts first',
  allowTypeImports: true,
};

/**
 * One block of import restrictions. ESLint does not merge a rule's options across blocks (the last block that
 * matches a file wins), so each block restates the SDK rule with its layer's.
 */
function layer(files, ignores, { above = [], sdk = true }) {
  const patterns = above.length
    ? [
        {
          group: importPatterns(above),
          message: 'A module imports only from its own layer or below (CONTRIBUTING.md, Architecture)',
        },
      ]
    : [];
  return [
    {
      files,
      ignores,
      rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths: sdk ? [SDK] : [], patterns }] },
    },
  ];
}

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
  // snowflake/connection.ts imports runtime.ts before the SDK, whose module body must not run without the
  // switches runtime.ts sets (cloud metadata probes): no other module of the action may load it. And the layers
  // of CONTRIBUTING.md's Architecture: a module imports nothing from a layer above its own.
  ...layer(['src/**'], ['src/snowflake/connection.ts'], {}),
  ...layer(FOUNDATIONS, [], { above: [...SERVICES, ...CONFIGURATION, ...MODES, ...OUTPUT] }),
  ...layer(SERVICES, ['src/snowflake/connection.ts'], { above: [...CONFIGURATION, ...MODES, ...OUTPUT] }),
  ...layer(['src/snowflake/connection.ts'], [], {
    above: [...CONFIGURATION, ...MODES, ...OUTPUT],
    sdk: false,
  }),
  ...layer(CONFIGURATION, [], { above: [...MODES, ...OUTPUT] }),
  ...layer(MODES, [], { above: OUTPUT }),
  ...layer(['src/report/**'], [], { above: ['**/main.js'] }),
  {
    files: ['__tests__/**', 'scripts/**'],
    languageOptions: { globals: { ...globals.jest } },
    rules: { 'no-console': 'off' },
  },
);
