/**
 * The export writers: each format's content, escaping, a running session's snapshot, page-wise
 * reading, and a write that fails (a full disk) leaving no partial file.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createWriteStream, existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { testCore } from '../../test/support/core'
import { tempDir } from '../../test/support/temp'
import type { MessageRow } from '../store/rows'
import { exportToFile, writeExport } from './write'
import { takeSnapshot } from './snapshot'
import { messageMarkdown } from './markdown'

const cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const c of cleanups.reverse()) await c()
  cleanups.length = 0
})

const EVIL = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'

async function setup(status = 'done') {
  const t = testCore()
  cleanups.push(t.cleanup)
  const dir = tempDir('shepherd-export-')
  cleanups.push(dir.cleanup)
  const project = await t.caller.projects.add({ path: dir.dir, name: 'Demo <proj>' })
  const store = t.core.store
  store.insertSession({
    id: 's1',
    projectId: project.id,
    provider: 'claude',
    model: 'claude-opus-5-5',
    permissionMode: 'default',
    cwd: dir.dir,
    title: `Fix the ${EVIL}`,
    systemPrompt: null,
    extraEnv: {},
    status,
    now: 1_700_000_000_000
  })
  store.updateSession('s1', { cli_session_id: 'cli-123', cost_usd: 0.1234, input_tokens: 1500, output_tokens: 300 })
  let seq = 0
  const row = (kind: string, text: string, extra: Partial<MessageRow> = {}): MessageRow => ({
    session_id: 's1',
    seq: ++seq,
    kind,
    text,
    tool_name: null,
    tool_input: null,
    tool_path: null,
    tool_use_id: null,
    parent_id: null,
    is_error: 0,
    created_at: 1_700_000_000_000 + seq * 1000,
    ...extra
  })
  const rows = [
    row('user', `first prompt ${EVIL}`),
    row('thinking', 'let me think\nabout it'),
    row('assistant', 'Here is **bold** and a [link](http://example.com) and ![pic](https://example.com/x.png) <b>raw</b>\n\n```js\nconst a = 1\n```'),
    row('tool_call', 'Bash: echo hi', { tool_name: 'Bash', tool_input: '{"command":"echo ```hi```"}', tool_path: 'echo ```hi```', tool_use_id: 't1' }),
    row('tool_result', 'hi ```` fence\n</pre><script>x()</script>', { tool_use_id: 't1' }),
    row('tool_call', 'Task', { tool_name: 'Task', tool_input: '{"prompt":"sub"}', tool_use_id: 't2' }),
    row('user', 'sub prompt', { parent_id: 't2' }),
    row('assistant', 'sub answer', { parent_id: 't2' }),
    row('error', 'API error 500', { is_error: 1 }),
    row('user', 'second prompt'),
    row('system', 'Interrupted')
  ]
  store.insertMessages(rows)
  store.updateSession('s1', { last_seq: seq })
  return { ...t, store, dir: dir.dir, project, rows }
}

describe('session export', () => {
  it('Markdown: a heading per turn, code blocks fenced past any backticks inside, thinking quoted, snapshot stated', async () => {
    const s = await setup()
    const r = await exportToFile(s.store, 's1', 'markdown', join(s.dir, 'out.md'))
    const md = readFileSync(r.path, 'utf8')
    expect(r).toMatchObject({ upToSeq: 11, messages: 11, running: false })
    expect(md.match(/^## Turn \d+$/gm)).toEqual(['## Turn 1', '## Turn 2'])
    expect(md).toContain('> **Thinking**\n>\n> let me think\n> about it')
    expect(md).toContain('`````\nhi ```` fence') // 5 backticks around a run of 4
    expect(md).toContain('**Tool call: Bash**')
    expect(md).toContain('```json\n{\n  "command": "echo ```hi```"\n}\n```'.replace(/^```json/, '````json').replace(/```$/, '````'))
    expect(md).toContain('**You** (sub-agent)')
    expect(md).toContain('- **Snapshot:** messages 1–11 (up to seq 11)')
    expect(md).toContain('$0.1234')
    expect(md).toContain('CLI session `cli-123`')
  })

  it('JSON: metadata, totals and every message as stored, with a version', async () => {
    const s = await setup()
    const r = await exportToFile(s.store, 's1', 'json', join(s.dir, 'out.json'))
    const doc = JSON.parse(readFileSync(r.path, 'utf8'))
    expect(doc).toMatchObject({ format: 'shepherd-session', version: 1, snapshot: { upToSeq: 11, messageCount: 11, running: false } })
    expect(doc.session).toMatchObject({ id: 's1', provider: 'claude', cliSessionId: 'cli-123', totals: { costUsd: 0.1234, inputTokens: 1500 } })
    expect(doc.project.name).toBe('Demo <proj>')
    expect(doc.messages).toHaveLength(11)
    expect(doc.messages.map((m: { text: string }) => m.text)).toEqual(s.rows.map((m) => m.text))
    expect(doc.messages[3]).toEqual({
      seq: 4,
      kind: 'tool_call',
      text: 'Bash: echo hi',
      toolName: 'Bash',
      toolInput: '{"command":"echo ```hi```"}',
      toolPath: 'echo ```hi```',
      toolUseId: 't1',
      parentId: null,
      isError: false,
      createdAt: 1_700_000_004_000
    })
  })

  it('HTML: one file, no scripts, no external requests, everything escaped', async () => {
    const s = await setup()
    const r = await exportToFile(s.store, 's1', 'html', join(s.dir, 'out.html'))
    const html = readFileSync(r.path, 'utf8')
    expect(html.startsWith('<!doctype html>')).toBe(true)
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`)
    expect(html).not.toMatch(/<script/i)
    expect(html).not.toMatch(/<(img|link|iframe|object|embed|video|audio|source)\b/i)
    expect(html).not.toMatch(/<[^>]*\b(src|srcset|background)=/i)
    expect(html).not.toMatch(/url\(|@import/i)
    expect(html).not.toMatch(/<[^>]*\son[a-z]+=/i) // no event handlers in any tag
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;')
    expect(html).toContain('<strong>bold</strong>')
    expect(html).toContain('&lt;b&gt;raw&lt;/b&gt;') // raw HTML in Markdown shown, not rendered
    expect(html).not.toContain('href="http://') // only https links survive
    expect(html).toContain('Demo &lt;proj&gt;')
    expect(html.match(/<section /g)).toHaveLength(11)
    expect(html).toContain('class="row user nested"')
    expect(html).toContain('data-up-to-seq="11"')
  })

  it('a running session: the snapshot stops at the seq stored when the export began, and says so', async () => {
    const s = await setup('running')
    const snap = takeSnapshot(s.store, 's1')
    let wrote = 0
    let added = false
    const chunks: string[] = []
    // A slow reader: while the export is under way the agent stores more messages.
    const out = new Writable({
      highWaterMark: 16,
      write(chunk, _enc, cb) {
        chunks.push(String(chunk))
        if (++wrote === 3 && !added) {
          added = true
          s.store.insertMessages([
            {
              session_id: 's1',
              seq: 12,
              kind: 'assistant',
              text: 'LATE MESSAGE',
              tool_name: null,
              tool_input: null,
              tool_path: null,
              tool_use_id: null,
              parent_id: null,
              is_error: 0,
              created_at: Date.now()
            }
          ])
        }
        setTimeout(cb, 1)
      }
    })
    const r = await writeExport(s.store, snap, 'json', out)
    expect(added).toBe(true)
    expect(s.store.maxSeq('s1')).toBe(12)
    const doc = JSON.parse(chunks.join(''))
    expect(doc.snapshot).toEqual({ upToSeq: 11, messageCount: 11, running: true })
    expect(doc.messages.map((m: { seq: number }) => m.seq).at(-1)).toBe(11)
    expect(JSON.stringify(doc)).not.toContain('LATE MESSAGE')
    expect(r.upToSeq).toBe(11)
    const md = readFileSync((await exportToFile(s.store, 's1', 'markdown', join(s.dir, 'run.md'))).path, 'utf8')
    expect(md).toContain('up to seq 12), exported')
    expect(md).toContain('while the agent was still working')
  })

  it('reads rows a page at a time (never the whole session)', async () => {
    const s = await setup()
    const many: MessageRow[] = []
    for (let i = 12; i <= 2600; i++)
      many.push({
        session_id: 's1',
        seq: i,
        kind: 'assistant',
        text: `m${i}`,
        tool_name: null,
        tool_input: null,
        tool_path: null,
        tool_use_id: null,
        parent_id: null,
        is_error: 0,
        created_at: i
      })
    s.store.insertMessages(many)
    const limits: number[] = []
    const orig = s.store.messagesAfter.bind(s.store)
    s.store.messagesAfter = (id: string, after: number, limit: number) => {
      limits.push(limit)
      return orig(id, after, limit)
    }
    const r = await exportToFile(s.store, 's1', 'json', join(s.dir, 'big.json'))
    expect(r.messages).toBe(2600)
    expect(JSON.parse(readFileSync(r.path, 'utf8')).messages).toHaveLength(2600)
    expect(Math.max(...limits)).toBeLessThanOrEqual(500)
    expect(limits.length).toBeGreaterThanOrEqual(6)
  })

  it('a disk that fills during export: the partial file is removed and the error says why', async () => {
    const s = await setup()
    const target = join(s.dir, 'full.html')
    // A stream that takes 200 bytes, then fails as a full disk does.
    let taken = 0
    const failing = () =>
      new Writable({
        write(chunk, _e, cb) {
          taken += chunk.length
          if (taken > 200) {
            const e = new Error('ENOSPC: no space left on device, write') as NodeJS.ErrnoException
            e.code = 'ENOSPC'
            return cb(e)
          }
          cb()
        }
      })
    await expect(exportToFile(s.store, 's1', 'html', target, { createStream: failing })).rejects.toThrow(/disk is full/)
    // The real thing: /dev/full answers every write with ENOSPC; the temp file beside the target goes away.
    let tmpPath = ''
    await expect(
      exportToFile(s.store, 's1', 'markdown', target, {
        createStream: (p) => {
          tmpPath = p
          const w = createWriteStream(p)
          w.destroy()
          return createWriteStream('/dev/full')
        }
      })
    ).rejects.toThrow(/export failed: the disk is full/)
    expect(existsSync(tmpPath)).toBe(false)
    expect(existsSync(target)).toBe(false)
    expect(readdirSync(s.dir).filter((f) => f.includes('partial'))).toEqual([])
  })

  it('copy one message as Markdown', async () => {
    const s = await setup()
    expect(messageMarkdown(s.store.getMessage('s1', 2)!)).toBe('> **Thinking**\n>\n> let me think\n> about it\n')
    expect(messageMarkdown(s.store.getMessage('s1', 5)!)).toContain('`````\nhi ```` fence')
  })
})
