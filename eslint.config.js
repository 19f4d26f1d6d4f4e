// ESLint: typescript-eslint's strict, type-aware rules, and the layer rules of docs/architecture.md
// (eslint/layers.js). Formatting is Prettier's job (npm run format), so no style rule lives here.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import wsdiag from './eslint/layers.js';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'test-artifacts/', 'bin/', 'eslint/', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { wsdiag },
    rules: {
      'wsdiag/layers': 'error',
      // Numbers and booleans read naturally in messages; objects and undefined do not.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // `() => void emit(x)` and `(x) => set.add(x)` as callbacks are the idiom, not a mistake; so is
      // `return send(res, …)` to leave a void handler early.
      '@typescript-eslint/no-confusing-void-expression': [
        'error',
        { ignoreArrowShorthand: true, ignoreVoidOperator: true, ignoreVoidReturningFunctions: true },
      ],
      // Unused names are the compiler's job (noUnusedLocals/noUnusedParameters); `_x` marks one kept on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // The byte parsers (frames, captures) read typed arrays at offsets they have just bounds-checked, and
    // the decoder asserts invariants it keeps (a listener is there when it was asked for) on every frame:
    // with noUncheckedIndexedAccess, narrowing each read again would only add branches on the hot path.
    files: ['src/protocol/**/*.ts', 'src/capture/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // The page (src/ui/web/) is all the browser is served: from the rest of the tree it may take types
    // (the event schema's), never values, which would compile to imports the browser cannot load.
    files: ['src/ui/web/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: ['../*'], allowTypeImports: true, message: 'the page may import only types from outside src/ui/web/' }] },
      ],
    },
  },
  {
    // Tests use assertion-style non-null (`events[0]!`) after asserting the length; node:test's
    // describe/it return promises the runner awaits.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] }] },
      ],
    },
  },
);
