#!/usr/bin/env node
// Regenerates the committed subset of the Codex app-server TypeScript bindings (see README.md):
//   node src-main/providers/codex/generated/regenerate.mjs [path/to/codex]
// Runs `codex app-server generate-ts --out <tmp>` and copies only the files reachable (through their
// `import type` lines) from ROOTS below: the full output is ~780 files, we use ~130 of them.
import { execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const codex = process.argv[2] ?? path.resolve(here, '../../../../test/agents/node_modules/.bin/codex')

/** The protocol types protocol.ts imports. Add a root here, then rerun. */
const ROOTS = [
  'InitializeParams', 'InitializeResponse', 'RequestId',
  'v2/ThreadStartParams', 'v2/ThreadStartResponse', 'v2/ThreadResumeParams', 'v2/ThreadResumeResponse',
  'v2/ThreadForkParams', 'v2/ThreadForkResponse',
  'v2/TurnStartParams', 'v2/TurnStartResponse', 'v2/TurnInterruptParams', 'v2/TurnInterruptResponse',
  'v2/TurnSteerParams', 'v2/TurnSteerResponse',
  'v2/ThreadStartedNotification', 'v2/ThreadStatusChangedNotification', 'v2/TurnStartedNotification', 'v2/TurnCompletedNotification',
  'v2/ItemStartedNotification', 'v2/ItemCompletedNotification', 'v2/AgentMessageDeltaNotification',
  'v2/CommandExecutionOutputDeltaNotification', 'v2/ReasoningSummaryTextDeltaNotification', 'v2/ReasoningTextDeltaNotification',
  'v2/ThreadTokenUsageUpdatedNotification', 'v2/ErrorNotification', 'v2/ServerRequestResolvedNotification',
  'v2/ConfigWarningNotification', 'v2/WarningNotification', 'v2/DeprecationNoticeNotification', 'v2/ModelReroutedNotification',
  'v2/CommandExecutionRequestApprovalParams', 'v2/CommandExecutionRequestApprovalResponse',
  'v2/FileChangeRequestApprovalParams', 'v2/FileChangeRequestApprovalResponse',
  'v2/ToolRequestUserInputParams', 'v2/ToolRequestUserInputResponse', 'v2/McpServerElicitationRequestParams',
  'v2/McpServerElicitationRequestResponse', 'v2/PermissionsRequestApprovalParams', 'v2/PermissionsRequestApprovalResponse'
]

const tmp = mkdtempSync(path.join(os.tmpdir(), 'codex-generate-ts-'))
try {
  const home = path.join(tmp, 'home')
  mkdirSync(home)
  const out = path.join(tmp, 'out')
  // A throw-away CODEX_HOME: the generator needs none of the user's config.
  execFileSync(codex, ['app-server', 'generate-ts', '--out', out], { env: { PATH: process.env.PATH ?? '', HOME: home, CODEX_HOME: home }, stdio: ['ignore', 'inherit', 'inherit'] })
  const seen = new Set()
  const stack = ROOTS.map((r) => `${r}.ts`)
  while (stack.length > 0) {
    const rel = path.normalize(stack.pop())
    if (seen.has(rel)) continue
    seen.add(rel)
    const text = readFileSync(path.join(out, rel), 'utf8')
    for (const m of text.matchAll(/from "(\.[^"]+)"/g)) stack.push(path.join(path.dirname(rel), `${m[1]}.ts`))
  }
  for (const entry of readdirSync(here)) {
    if (entry !== 'README.md' && entry !== 'regenerate.mjs') rmSync(path.join(here, entry), { recursive: true, force: true })
  }
  for (const rel of seen) {
    mkdirSync(path.dirname(path.join(here, rel)), { recursive: true })
    cpSync(path.join(out, rel), path.join(here, rel))
  }
  const version = execFileSync(codex, ['--version'], { env: { PATH: process.env.PATH ?? '', HOME: home, CODEX_HOME: home } }).toString().trim()
  console.log(`copied ${seen.size} of the generated files (${version})`)
} finally {
  rmSync(tmp, { recursive: true, force: true })
}
