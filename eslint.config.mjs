// ESLint (flat config): the recommended JS, TypeScript and Svelte rules, plus the architecture as
// import rules — which room may import which (docs/layers.md has the reasons).
// `npm run lint`; test/lint-rules.test.ts proves each layer rule fires.
import { builtinModules } from 'node:module'
import js from '@eslint/js'
import svelte from 'eslint-plugin-svelte'
import globals from 'globals'
import ts from 'typescript-eslint'

/** Node's built-in modules, bare and with the `node:` prefix. */
const NODE_BUILTINS = builtinModules.filter((m) => !m.startsWith('_')).flatMap((m) => [m, `node:${m}`])

/** The core of the main process: runs in tests and in the web host, where there is no Electron. */
const CORE = [
  'src-main/core.ts',
  'src-main/store/**',
  'src-main/supervisor/**',
  'src-main/api/**',
  'src-main/providers/**',
  'src-main/services/**',
  'src-main/shared/**'
]

const NO_ELECTRON = {
  regex: '^electron(/.*)?$|(^|/)electron/',
  message: 'Core (store, supervisor, api, providers, services, shared) never imports Electron: only src-main/electron/ and src-main/index.ts do.'
}
const NO_STORE = {
  regex: '(^|/)store(/|$)',
  message: 'Providers never import the store: they report events, the supervisor stores them.'
}
const RENDERER_MAIN = {
  regex: '(^|/)src-main/(?!shared/)',
  allowTypeImports: true,
  message: 'The renderer imports only types from src-main (values only from src-main/shared/).'
}
const SHARED_OURS = {
  regex: '^\\.\\./',
  message: 'src-main/shared is pure TypeScript shared with the renderer: it imports nothing of ours outside shared/.'
}
const NODE = { paths: NODE_BUILTINS.map((name) => ({ name, message: 'src-main/shared runs in the renderer too: no Node modules.' })) }
const PRELOAD_ONLY_IPC = {
  regex: '^(?!electron-messageport-trpc/preload$)',
  message: 'The preload exposes only the tRPC MessagePort: it imports only the IPC adapter (electron-messageport-trpc/preload).'
}

/** One no-restricted-imports rule per file group (flat config replaces, not merges, a rule's options). */
const restrict = (patterns, paths = []) => ['error', { patterns, paths }]

export default ts.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'node_modules/**',
      'test/agents/**',
      'test-results/**',
      'playwright-report/**',
      '.tmp/**',
      '.cache/**',
      'bench/results.json',
      '**/generated/**'
    ]
  },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      // `_name` marks a value kept on purpose (a destructured rest, an unused callback argument).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }
      ],
      // Plain Map/Set/Date in stores are bookkeeping that must NOT be reactive (dedup keys, timers).
      'svelte/prefer-svelte-reactivity': 'off',
      // The Svelte compiler (svelte-check) decides which svelte-ignore comments are needed; this rule disagrees with it.
      'svelte/no-unused-svelte-ignore': 'off',
      // '\n' in an attribute needs a JS string.
      'svelte/no-useless-mustaches': ['error', { ignoreStringEscape: true }]
    }
  },
  // A `let` assigned once after closures that read it were made (the Electron host's start-up) stays `let`.
  { files: ['src-main/index.ts'], rules: { 'prefer-const': ['error', { ignoreReadBeforeAssign: true }] } },
  // Test doubles and recorded fixtures poke at untyped protocol shapes.
  { files: ['**/*.test.ts', 'test/**', 'e2e/**', 'bench/**', '**/fixtures/**'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  // Markdown is rendered to HTML and sanitised with DOMPurify (panes/markdown.ts) before {@html}.
  { files: ['src-renderer/panes/MessageRow.svelte'], rules: { 'svelte/no-at-html-tags': 'off' } },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } }
  },

  // ---- layers ---------------------------------------------------------------------------------
  { files: CORE, rules: { '@typescript-eslint/no-restricted-imports': restrict([NO_ELECTRON]) } },
  { files: ['src-main/providers/**'], rules: { '@typescript-eslint/no-restricted-imports': restrict([NO_ELECTRON, NO_STORE]) } },
  { files: ['src-main/shared/**'], rules: { '@typescript-eslint/no-restricted-imports': restrict([NO_ELECTRON, SHARED_OURS], NODE.paths) } },
  { files: ['src-renderer/**'], rules: { '@typescript-eslint/no-restricted-imports': restrict([RENDERER_MAIN]) } },
  { files: ['src-preload/**'], rules: { '@typescript-eslint/no-restricted-imports': restrict([PRELOAD_ONLY_IPC]) } },
  // Tests may reach across layers to set things up (a provider test may open a real store).
  { files: ['**/*.test.ts'], rules: { '@typescript-eslint/no-restricted-imports': 'off' } }
)
