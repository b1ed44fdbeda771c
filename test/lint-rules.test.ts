/**
 * The architecture rules in eslint.config.mjs fire: each layer rule is run through ESLint's API on a
 * small snippet placed (by file path) in the room it guards, once for an import it must refuse and
 * once for one it must allow — so a rule that silently stops matching fails here.
 */
import path from 'node:path'
import { ESLint } from 'eslint'
import { beforeAll, describe, expect, it } from 'vitest'

const root = path.resolve(__dirname, '..')
const RULE = '@typescript-eslint/no-restricted-imports'
let eslint: ESLint

/** The messages of the import rule for `code` as if it were the file `file` (relative to the repo). */
async function importErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) })
  return (result?.messages ?? []).filter((m) => m.ruleId === RULE).map((m) => m.message)
}

beforeAll(() => {
  eslint = new ESLint({ cwd: root })
})

describe('layer rules (no-restricted-imports)', () => {
  const cases: { rule: string; file: string; refused: string[]; allowed: string[] }[] = [
    {
      rule: 'core never imports electron',
      file: 'src-main/supervisor/example.ts',
      refused: ["import { app } from 'electron'\nexport const x = app", "import { buildMenu } from '../electron/menu'\nexport const x = buildMenu"],
      allowed: [
        "import { z } from 'zod'\nexport const x = z",
        "import { createTRPCProxyClient } from 'electron-messageport-trpc'\nexport const x = createTRPCProxyClient"
      ]
    },
    {
      rule: 'core never imports electron (store, api, services, shared, core.ts)',
      file: 'src-main/core.ts',
      refused: ["import { BrowserWindow } from 'electron'\nexport const x = BrowserWindow"],
      allowed: ["import { openDatabase } from './store/open'\nexport const x = openDatabase"]
    },
    {
      rule: 'providers never import the store',
      file: 'src-main/providers/example/provider.ts',
      refused: [
        "import type { Store } from '../../store/store'\nexport type X = Store",
        "import { openDatabase } from '../../store/open'\nexport const x = openDatabase"
      ],
      allowed: ["import { LineSplitter } from '../line-splitter'\nexport const x = LineSplitter"]
    },
    {
      rule: 'the renderer imports only types from src-main, values only from src-main/shared',
      file: 'src-renderer/stores/example.svelte.ts',
      refused: ["import { appRouter } from '../../src-main/api/router'\nexport const x = appRouter"],
      allowed: [
        "import type { AppRouter } from '../../src-main/api/router'\nexport type X = AppRouter",
        "import { PROVIDER_IDS } from '../../src-main/shared/status'\nexport const x = PROVIDER_IDS"
      ]
    },
    {
      rule: 'the renderer rule holds inside .svelte components',
      file: 'src-renderer/panes/Example.svelte',
      refused: ['<script lang="ts">\n  import { appRouter } from \'../../src-main/api/router\'\n  console.log(appRouter)\n</script>\n'],
      allowed: ['<script lang="ts">\n  import { PROVIDER_IDS } from \'../../src-main/shared/status\'\n  console.log(PROVIDER_IDS)\n</script>\n']
    },
    {
      rule: 'src-main/shared imports nothing of ours nor Node',
      file: 'src-main/shared/example.ts',
      refused: [
        "import { openDatabase } from '../store/open'\nexport const x = openDatabase",
        "import { readFileSync } from 'node:fs'\nexport const x = readFileSync",
        "import path from 'path'\nexport const x = path"
      ],
      allowed: ["import { SESSION_STATUSES } from './status'\nexport const x = SESSION_STATUSES"]
    },
    {
      rule: 'the preload imports only the IPC adapter',
      file: 'src-preload/index.ts',
      refused: [
        "import { ipcRenderer } from 'electron'\nexport const x = ipcRenderer",
        "import { api } from '../src-renderer/lib/api/client'\nexport const x = api"
      ],
      allowed: ["import { exposePortReceiver } from 'electron-messageport-trpc/preload'\nexposePortReceiver()"]
    }
  ]

  for (const c of cases) {
    it(c.rule, async () => {
      for (const code of c.refused) expect(await importErrors(c.file, code), code).toHaveLength(1)
      for (const code of c.allowed) expect(await importErrors(c.file, code), code).toEqual([])
    })
  }

  it('says why (the message names the rule of the layer)', async () => {
    const [message] = await importErrors('src-main/providers/x/handle.ts', "import { openDatabase } from '../../store/open'\nexport const x = openDatabase")
    expect(message).toContain('Providers never import the store')
  })
})
