/**
 * One-off measurements for the README (not part of `npm test`: run with SHEPHERD_MEASURE=1):
 * exporting a 100,000-message session in each format (time, file size, peak RSS above the baseline),
 * and importing a large Codex rollout (streamed; time, peak RSS). RSS is sampled every 20 ms.
 */
import { describe, expect, it } from 'vitest'
import { appendFileSync, readFileSync, readdirSync, statSync, writeFileSync, mkdirSync, cpSync } from 'node:fs'
import { join } from 'node:path'
import { testCore } from '../support/core'
import { tempDir } from '../support/temp'
import { exportToFile } from '../../src-main/export/write'
import { ImportService } from '../../src-main/import/service'
import type { MessageRow } from '../../src-main/store/rows'

const RUN = process.env.SHEPHERD_MEASURE === '1'
const mb = (n: number) => (n / 1024 / 1024).toFixed(1)

function sampler() {
  let peak = process.memoryUsage().rss
  const t = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 20)
  return {
    stop: () => {
      clearInterval(t)
      return Math.max(peak, process.memoryUsage().rss)
    }
  }
}

describe.runIf(RUN)('scale', () => {
  it('exports a 100,000-message session with flat memory', async () => {
    const t = testCore()
    const d = tempDir('shepherd-measure-')
    const p = await t.caller.projects.add({ path: d.dir })
    t.core.store.insertSession({
      id: 'big',
      projectId: p.id,
      provider: 'claude',
      model: 'm',
      permissionMode: 'default',
      cwd: d.dir,
      title: 'big',
      systemPrompt: null,
      extraEnv: {},
      status: 'done',
      now: Date.now()
    })
    const kinds = ['user', 'assistant', 'thinking', 'tool_call', 'tool_result', 'assistant']
    let batch: MessageRow[] = []
    let textBytes = 0
    for (let i = 1; i <= 100_000; i++) {
      const kind = kinds[i % kinds.length]!
      const text = `${kind} ${i} `.padEnd(kind === 'tool_result' ? 3000 : 400, 'lorem ipsum dolor sit amet `code` <b>x</b> ')
      textBytes += text.length
      batch.push({
        session_id: 'big',
        seq: i,
        kind,
        text,
        tool_name: kind === 'tool_call' ? 'Bash' : null,
        tool_input: kind === 'tool_call' ? '{"command":"ls -la"}' : null,
        tool_path: null,
        tool_use_id: null,
        parent_id: null,
        is_error: 0,
        created_at: i
      })
      if (batch.length === 5000) {
        t.core.store.transaction(() => t.core.store.insertMessages(batch))
        batch = []
      }
    }
    t.core.store.updateSession('big', { last_seq: 100_000 })
    global.gc?.()
    for (const format of ['markdown', 'json', 'html'] as const) {
      const base = process.memoryUsage().rss
      const s = sampler()
      const t0 = performance.now()
      const r = await exportToFile(t.core.store, 'big', format, join(d.dir, `big.${format}`))
      const ms = performance.now() - t0
      const peak = s.stop()
      console.log(
        `EXPORT ${format}: ${r.messages} messages (${mb(textBytes)} MB of text) → ${mb(r.bytes)} MB in ${(ms / 1000).toFixed(1)} s; RSS before ${mb(base)} MB, peak ${mb(peak)} MB (+${mb(peak - base)} MB)`
      )
      expect(r.messages).toBe(100_000)
    }
    await t.cleanup()
    d.cleanup()
  }, 600_000)

  it('imports a large Codex rollout streamed', async () => {
    const d = tempDir('shepherd-measure-')
    const project = join(d.dir, 'proj')
    mkdirSync(project)
    const codexHome = join(d.dir, 'codex')
    cpSync(join(__dirname, '../../src-main/import/fixtures/codex'), join(codexHome, 'sessions'), { recursive: true })
    const walk = (x: string): string[] => readdirSync(x, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(x, e.name)) : [join(x, e.name)]))
    const file = walk(join(codexHome, 'sessions'))[0]!
    const lines = readFileSync(file, 'utf8').replaceAll('/tmp/shepherd-codex-E4gXxH/project', project).split('\n').filter(Boolean)
    writeFileSync(file, lines[0] + '\n')
    const turn = lines.slice(1).join('\n') + '\n'
    const target = Number(process.env.SHEPHERD_MEASURE_IMPORT_MB ?? 512) * 1024 * 1024
    const chunk = turn.repeat(200)
    while (statSync(file).size < target) appendFileSync(file, chunk)
    const size = statSync(file).size
    const t = testCore()
    const p = await t.caller.projects.add({ path: project })
    const svc = new ImportService(t.core.store, t.core.hub, { HOME: d.dir, CODEX_HOME: codexHome, CLAUDE_CONFIG_DIR: join(d.dir, 'none') })
    global.gc?.()
    const base = process.memoryUsage().rss
    const s = sampler()
    const t0 = performance.now()
    const job = await svc.run(p.id).done
    const ms = performance.now() - t0
    const peak = s.stop()
    console.log(
      `IMPORT codex: ${mb(size)} MB file, ${job.messagesAdded} messages in ${(ms / 1000).toFixed(1)} s (${mb(size / (ms / 1000))} MB/s); RSS before ${mb(base)} MB, peak ${mb(peak)} MB (+${mb(peak - base)} MB)`
    )
    expect(job.state).toBe('done')
    await t.cleanup()
    d.cleanup()
  }, 900_000)
})
