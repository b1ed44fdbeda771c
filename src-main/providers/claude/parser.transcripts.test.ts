/**
 * Every copied transcript (./fixtures) through the parser, compared with hand-checked summaries.
 * `streamjson-*` files are replayed from their `out` lines; a recorded `interrupt` request sets the
 * state flag exactly as the handle does when it sends one.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { ProviderEvent } from '../types'
import { createParseState, parseClaudeLine } from './parser'

const cut = (s: string, n = 48) => (s.length > n ? s.slice(0, n) + '…' : s)

/** One short line per event: enough to pin kind, text, ids, flags and numbers. */
function brief(e: ProviderEvent): string {
  switch (e.kind) {
    case 'cli_session':
      return `session ${e.cliSessionId.slice(0, 8)} ${e.model}`
    case 'turn':
      return `turn ${e.state}${e.reason ? ` ${e.reason.apiErrorStatus ?? '-'} ${cut(e.reason.message ?? '', 30)}` : ''}`
    case 'usage': {
      const u = e.usage
      return `usage $${u.costUsdSessionTotal} in=${u.inputTokens} out=${u.outputTokens} cr=${u.cacheReadTokens} cw=${u.cacheWriteTokens} ctx=${u.contextTokens}/${u.contextWindow} known=${u.costKnown}`
    }
    case 'raw':
      return `raw ${e.stream} ${cut(e.data, 40)}`
    case 'approval_request':
      return `approval ${e.request.requestId.slice(0, 8)} ${e.request.toolName} ${JSON.stringify(e.request.input)} tu=${e.request.toolUseId}`
    case 'approval_cancelled':
      return `cancelled ${e.requestId.slice(0, 8)}`
    case 'question_request':
      return `question ${e.request.requestId.slice(0, 8)} ${e.request.title} ${e.request.fields.map((f) => f.id).join(',')}`
    case 'question_cancelled':
      return `question cancelled ${e.requestId.slice(0, 8)}`
    case 'rate_limit':
      return `rate_limit ${e.limited} ${e.windows.map((w) => `${w.window}:${w.status}`).join(',')}`
    case 'draft':
      return e.draft ? `draft ${e.draft.kind} ${cut(e.draft.text)}` : 'draft end'
    case 'activity':
      return `activity ${e.text ?? '-'}${e.background ? ` bg=[${e.background.map((t) => `${t.type}:${t.description}`).join(',')}]` : ''}`
    case 'cli_warning':
      return `warning ${cut(e.text)}`
    case 'message': {
      const m = e.message
      const tool = m.toolName ? ` [${m.toolName} ${m.toolPath ?? ''} ${m.toolUseId ?? ''}]` : m.toolUseId ? ` [${m.toolUseId}]` : ''
      return `${m.kind}${m.isError ? '!' : ''}${tool} ${cut(m.text)}`
    }
  }
}

function replay(name: string): string[] {
  const text = readFileSync(fileURLToPath(new URL(`fixtures/${name}.jsonl`, import.meta.url)), 'utf8')
  const state = createParseState()
  const out: string[] = []
  for (const fileLine of text.split('\n').filter(Boolean)) {
    let line = fileLine
    if (name.includes('streamjson')) {
      const rec = JSON.parse(fileLine) as { dir: string; msg: { request?: { subtype?: string } } }
      if (rec.dir === 'in' && rec.msg.request?.subtype === 'interrupt') state.interruptRequested = true
      if (rec.dir !== 'out') continue
      line = JSON.stringify(rec.msg)
    }
    const parsed = parseClaudeLine(line, state)
    out.push(...parsed.events.map(brief))
    const c = parsed.controlResponse
    if (c) out.push(`control ${c.requestId} ${c.ok ? 'ok' : `error ${c.errorCode}`}`)
  }
  return out
}

/** The slow answer streamed as partial messages: one draft per tick, each the text so far. */
const TICK_DRAFTS = Array.from({ length: 6 }, (_, i) => `draft assistant ${Array.from({ length: i + 1 }, (_, j) => `tick${j}`).join(' ')} `)

const EXPECTED: Record<string, string[]> = {
  'oneshot-text': [
    'session ff1b5edf claude-opus-5-5',
    'system Claude Code 2.1.330 · model claude-opus-5-5 · cw…',
    'turn running',
    'assistant Hi from fake',
    'usage $0.018331999999999998 in=4533 out=10 cr=0 cw=0 ctx=4533/1000000 known=true',
    'turn idle'
  ],
  'oneshot-bash-echo': [
    'session 942979c5 claude-opus-5-5',
    'system Claude Code 2.1.330 · model claude-opus-5-5 · cw…',
    'turn running',
    'assistant I will run a command.',
    'tool_call [Bash echo hi toolu_fake000002] Bash: echo hi',
    'tool_result [toolu_fake000002] hi',
    'assistant DONE. Tool output was: hi',
    'usage $0.035268 in=8532 out=57 cr=0 cw=0 ctx=4303/1000000 known=true',
    'turn idle'
  ],
  'oneshot-bash-touch-denied-default-mode': [
    'session 35e4c47b claude-opus-5-5',
    'system Claude Code 2.1.330 · model claude-opus-5-5 · cw…',
    'turn running',
    'assistant I will run a command.',
    'tool_call [Bash touch made-by-bash.txt toolu_fake000005] Bash: touch made-by-bash.txt',
    "error! [Bash  toolu_fake000005] touch in 'proj/made-by-bash.txt' needs approval.…",
    "tool_result! [toolu_fake000005] touch in 'proj/made-by-bash.txt' needs approval.…",
    "assistant DONE. Tool ERROR was: touch in 'proj/made-by-bas…",
    'usage $0.036608 in=8602 out=110 cr=0 cw=0 ctx=4369/1000000 known=true',
    'turn idle'
  ],
  'permission-mode-default-write': [
    'session 1ebb8d8c claude-opus-5-5',
    'system Claude Code 2.1.330 · model claude-opus-5-5 · cw…',
    'turn running',
    'assistant I will write a file.',
    'tool_call [Write w-default.txt toolu_fake000002] Write: w-default.txt',
    'error! [Write  toolu_fake000002] Claude requested permissions to write to proj/w-…',
    'tool_result! [toolu_fake000002] Claude requested permissions to write to proj/w-…',
    'assistant DONE. Tool ERROR was: Claude requested permissio…',
    'usage $0.038251999999999994 in=9163 out=80 cr=0 cw=0 ctx=4630/1000000 known=true',
    'turn idle'
  ],
  'api-error-500': [
    'session 6915cdbf claude-opus-5-5',
    'system Claude Code 2.1.330 · model claude-opus-5-5 · cw…',
    'turn running',
    'system API error 500: server_error; retrying (attempt 1…',
    'system API error 500: server_error; retrying (attempt 2…',
    'error! API Error: 500 fake error 500. This is a server-…',
    'usage $0 in=0 out=0 cr=0 cw=0 ctx=null/null known=true',
    'turn error 500 API Error: 500 fake error 500.…'
  ],
  'resume-1-first-run': [
    'session bf698c4e claude-fake-model-x',
    'system Claude Code 2.1.330 · model claude-fake-model-x …',
    'turn running',
    'raw parse_error [claude-code:unrecognized_model] {"model…',
    'assistant I will remember PAPAYA',
    'usage $0.018084 in=4456 out=13 cr=0 cw=0 ctx=4456/1000000 known=false',
    'turn idle'
  ],
  'streamjson-multiturn': [
    'session 90bc52a9 claude-opus-5-5',
    'system Claude Code 2.1.330 · model claude-opus-5-5 · cw…',
    'turn running',
    'assistant Reply one',
    'usage $0.018316 in=4534 out=9 cr=0 cw=0 ctx=4534/1000000 known=true',
    'turn idle',
    'session 90bc52a9 claude-opus-5-5',
    'turn running',
    'assistant I will run a command.',
    'tool_call [Bash echo hi-from-turn-2 toolu_fake000003] Bash: echo hi-from-turn-2',
    'tool_result [toolu_fake000003] hi-from-turn-2',
    'assistant DONE. Tool output was: hi-from-turn-2',
    'usage $0.056440000000000004 in=9216 out=63 cr=0 cw=0 ctx=4648/1000000 known=true',
    'turn idle'
  ],
  'streamjson-can_use_tool': [
    'session 27497108 claude-opus-5-5',
    'system Claude Code 2.1.330 · model claude-opus-5-5 · cw…',
    'turn running',
    'assistant I will run a command.',
    'tool_call [Bash touch allowed-by-host.txt toolu_fake000002] Bash: touch allowed-by-host.txt',
    'approval a84f588d Bash {"command":"touch allowed-by-host.txt","description":"Run scripted command"} tu=toolu_fake000002',
    'tool_result [toolu_fake000002] (Bash completed with no output)',
    'assistant DONE. Tool output was: (Bash completed with no o…',
    'usage $0.038084 in=9176 out=69 cr=0 cw=0 ctx=4631/1000000 known=true',
    'turn idle',
    'session 27497108 claude-opus-5-5',
    'turn running',
    'assistant I will run a command.',
    'tool_call [Bash touch denied-by-host.txt toolu_fake000005] Bash: touch denied-by-host.txt',
    'approval 09e1e87e Bash {"command":"touch denied-by-host.txt","description":"Run scripted command"} tu=toolu_fake000005',
    'tool_result! [toolu_fake000005] Denied by test harness',
    'assistant DONE. Tool ERROR was: Denied by test harness',
    'usage $0.077208 in=9451 out=66 cr=0 cw=0 ctx=4767/1000000 known=true',
    'turn idle'
  ],
  'streamjson-interrupt-partial-messages': [
    'session 5df5e13e claude-opus-5-5',
    'system Claude Code 2.1.330 · model claude-opus-5-5 · cw…',
    'turn running',
    ...TICK_DRAFTS,
    'control req_1 ok',
    'assistant tick0 tick1 tick2 tick3 tick4 tick5 ',
    'system Interrupted',
    'usage $0.018372 in=4533 out=12 cr=0 cw=0 ctx=4533/1000000 known=true',
    'turn idle',
    'session 5df5e13e claude-opus-5-5',
    'turn running',
    'draft assistant still alive',
    'assistant still alive',
    'usage $0.036919999999999994 in=4587 out=10 cr=0 cw=0 ctx=4587/1000000 known=true',
    'turn idle'
  ],
  'v2.1.197-streamjson-interrupt': [
    'session 341bd341 claude-opus-4-8[1m]',
    'system Claude Code 2.1.197 · model claude-opus-4-8[1m] …',
    'turn running',
    ...TICK_DRAFTS,
    'control req_1 ok',
    'assistant tick0 tick1 tick2 tick3 tick4 tick5 ',
    'system Interrupted',
    'usage $0 in=0 out=0 cr=0 cw=0 ctx=3253/null known=true',
    'turn idle',
    'session 341bd341 claude-opus-4-8[1m]',
    'turn running',
    'draft assistant still alive',
    'assistant still alive',
    'usage $0.016815 in=3313 out=10 cr=0 cw=0 ctx=3313/1000000 known=true',
    'turn idle'
  ],
  'streamjson-set_model-set_permission_mode': [
    'session 17efed86 claude-opus-5-5',
    'system Claude Code 2.1.330 · model claude-opus-5-5 · cw…',
    'turn running',
    'assistant one',
    'usage $0.018316 in=4539 out=8 cr=0 cw=0 ctx=4539/1000000 known=true',
    'turn idle',
    'control req_1 ok',
    'session 17efed86 claude-fake-model-b',
    'system Claude Code 2.1.330 · model claude-fake-model-b …',
    'turn running',
    'assistant two',
    'usage $0.03796 in=4871 out=8 cr=0 cw=0 ctx=4871/1000000 known=true',
    'turn idle',
    'control req_2 ok',
    'session 17efed86 claude-fake-model-b',
    'turn running',
    'assistant I will write a file.',
    'tool_call [Write via-accept-edits.txt toolu_fake000005] Write: via-accept-edits.txt',
    'tool_result [toolu_fake000005] File created successfully at: via-accept-edits.t…',
    'assistant DONE. Tool output was: File created successfully…',
    'usage $0.07931200000000001 in=9913 out=85 cr=0 cw=0 ctx=5005/1000000 known=true',
    'turn idle',
    'control req_3 error bypass_not_launched',
    'session 17efed86 claude-fake-model-b',
    'turn running',
    'assistant I will run a command.',
    'tool_call [Bash touch via-bypass.txt toolu_fake000008] Bash: touch via-bypass.txt',
    'tool_result [toolu_fake000008] (Bash completed with no output)',
    'assistant DONE. Tool output was: (Bash completed with no o…',
    'usage $0.121644 in=10243 out=68 cr=0 cw=0 ctx=5164/1000000 known=true',
    'turn idle'
  ]
}

/** Claude Code 2.1.332 (recorded with fixtures/record.mjs): `raw` and `usage` lines left out, `deferred` = the held turn end. */
function replay332(name: string): string[] {
  const text = readFileSync(fileURLToPath(new URL(`fixtures/streamjson-2.1.332-${name}.jsonl`, import.meta.url)), 'utf8')
  const state = createParseState()
  const out: string[] = []
  for (const fileLine of text.split('\n').filter(Boolean)) {
    const rec = JSON.parse(fileLine) as { dir: string; msg: unknown }
    if (rec.dir !== 'out') continue
    const parsed = parseClaudeLine(JSON.stringify(rec.msg), state)
    for (const e of parsed.events) {
      if (e.kind === 'raw' || e.kind === 'usage') continue
      // Sub-agents' rows are nested under their Task call: the parent id is part of what is pinned.
      out.push(brief(e) + (e.kind === 'message' && e.message.parentId ? ` ^${e.message.parentId}` : ''))
    }
    if (parsed.deferredEnd) out.push(`deferred ${parsed.deferredEnd.map(brief).join(', ')}`)
  }
  return out
}

const EXPECTED_332: Record<string, string[]> = {
  'subagent-background': [
    'turn running',
    'session c86769c7 claude-opus-5-5',
    'system Claude Code 2.1.332 · model claude-opus-5-5 · cw…',
    'turn running',
    'assistant I will ask a sub-agent.',
    'tool_call [Task  toolu_fake000002] Task',
    'activity - bg=[local_agent:Scripted sub-agent]',
    'activity Scripted sub-agent',
    'system Sub-agent running in the background: Scripted su…',
    'tool_result [toolu_fake000002] Async agent launched successfully. (This tool re…',
    'assistant DONE. Tool output was: Async agent launched succ…',
    'assistant I will run a command. ^toolu_fake000002',
    'tool_call [Bash sleep 6; echo sub-done toolu_fake000005] Bash: sleep 6; echo sub-done ^toolu_fake000002',
    'activity Scripted sub-agent: Running Run scripted command',
    'activity Run scripted command',
    'activity -',
    'tool_result [toolu_fake000005] sub-done ^toolu_fake000002',
    'assistant DONE. Tool output was: sub-done ^toolu_fake000002',
    'activity -',
    'activity -',
    'system Sub-agent completed: Scripted sub-agent',
    'activity - bg=[]',
    'session c86769c7 claude-opus-5-5',
    'turn running',
    'assistant NOTED: Agent \\"Scripted sub-agent\\" finished',
    'turn idle'
  ],
  clear: [
    'turn running',
    'session 88901bc7 claude-opus-5-5',
    'system Claude Code 2.1.332 · model claude-opus-5-5 · cw…',
    'turn running',
    'assistant one',
    'turn idle',
    'turn running',
    'system Conversation cleared (/clear): Claude Code conti…',
    'activity - bg=[]',
    'session 2f33c90f claude-opus-5-5',
    'turn running',
    'turn idle',
    'turn running',
    'session 2f33c90f claude-opus-5-5',
    'turn running',
    'assistant two',
    'turn idle'
  ],
  'background-bash': [
    'turn running',
    'session 97c094b4 claude-opus-5-5',
    'system Claude Code 2.1.332 · model claude-opus-5-5 · cw…',
    'turn running',
    'assistant I will run a command.',
    'tool_call [Bash sleep 35; echo long-done toolu_fake000002] Bash: sleep 35; echo long-done',
    'tool_result! [toolu_fake000002] <tool_use_error>Blocked: sleep 35 followed by: e…',
    'assistant DONE. Tool ERROR was: <tool_use_error>Blocked: s…',
    'turn idle',
    'turn running',
    'session 97c094b4 claude-opus-5-5',
    'turn running',
    'assistant I will run a command.',
    'tool_call [Bash sleep 4; echo bg-done toolu_fake000005] Bash: sleep 4; echo bg-done',
    'activity - bg=[local_bash:Run scripted command]',
    'activity Run scripted command',
    'system Command running in the background: Run scripted …',
    'tool_result [toolu_fake000005] Command running in background with ID: bq38pwrg0…',
    'assistant DONE. Tool output was: Command running in backgr…',
    'turn running',
    'activity -',
    'activity -',
    'system Background command "Run scripted command" comple…',
    'activity - bg=[]',
    'deferred turn idle',
    'turn running',
    'session 97c094b4 claude-opus-5-5',
    'turn running',
    'assistant NOTED: Background command \\"Run scripted command…',
    'turn idle'
  ],
  'long-commands': [
    'turn running',
    'session 66704652 claude-opus-5-5',
    'system Claude Code 2.1.332 · model claude-opus-5-5 · cw…',
    'turn running',
    'assistant I will run a command.',
    'tool_call [Bash python3 -c "import time; time.sleep(40); print(1)" toolu_fake000002] Bash: python3 -c "import time; time.sleep(40); p…',
    'activity Run scripted command',
    'activity Bash running for 30 s',
    'activity -',
    'tool_result [toolu_fake000002] 1',
    'assistant DONE. Tool output was: 1',
    'turn idle',
    'turn running',
    'session 66704652 claude-opus-5-5',
    'turn running',
    'assistant I will ask a sub-agent.',
    'tool_call [Task  toolu_fake000005] Task',
    'activity - bg=[local_agent:Scripted sub-agent]',
    'activity Scripted sub-agent',
    'system Sub-agent running in the background: Scripted su…',
    'tool_result [toolu_fake000005] Async agent launched successfully. (This tool re…',
    'assistant DONE. Tool output was: Async agent launched succ…',
    'assistant I will run a command. ^toolu_fake000005',
    'tool_call [Bash python3 -c "import time; time.sleep(40); print(2)" toolu_fake000008] Bash: python3 -c "import time; time.sleep(40); p… ^toolu_fake000005',
    'activity Scripted sub-agent: Running Run scripted command',
    'activity Run scripted command',
    'activity -',
    'tool_result [toolu_fake000008] 2 ^toolu_fake000005',
    'assistant DONE. Tool output was: 2 ^toolu_fake000005',
    'activity -',
    'activity -',
    'system Sub-agent completed: Scripted sub-agent',
    'activity - bg=[]',
    'session 66704652 claude-opus-5-5',
    'turn running',
    'assistant NOTED: Agent \\"Scripted sub-agent\\" finished',
    'turn idle'
  ]
}

describe('Claude Code 2.1.332: session state, background tasks, heartbeats, /clear (recorded)', () => {
  it.each(Object.keys(EXPECTED_332))('%s', (name) => {
    expect(replay332(name)).toEqual(EXPECTED_332[name])
  })
})

describe('parseClaudeLine on recorded transcripts', () => {
  it.each(Object.keys(EXPECTED))('%s', (name) => {
    expect(replay(name)).toEqual(EXPECTED[name])
  })
})
