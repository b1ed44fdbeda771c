/**
 * Fault catalogue (docs/fault-catalogue.md CP-*, FR-*, SEC-7/8) with a fake `claude` that misbehaves on
 * command, through the real supervisor and SQLite. After each fault: the status is true, no process
 * of ours is left, and every complete line before the fault is stored with gap-free seq.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FAKE_AGENT_PATH } from '../support/agents'
import { testCore } from '../support/core'
import { tempDir } from '../support/temp'
import { groupGone, seqsOf, waitFor, waitForStatus } from '../support/live'
import { ClaudeProvider } from '../../src-main/providers/claude/provider'

let tmp: { dir: string; cleanup(): void }
const cleanups: (() => unknown)[] = []
beforeAll(() => {
  tmp = tempDir('shepherd-faults-')
})
afterAll(() => tmp.cleanup())
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function setup(opts: { cliPath?: string; dump?: string; hostEnv?: Record<string, string> } = {}) {
  const hostEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmp.dir, ...(opts.dump ? { FAKE_AGENT_DUMP: opts.dump } : {}), ...opts.hostEnv }
  const t = testCore({ providers: [new ClaudeProvider()], hostEnv })
  cleanups.push(t.cleanup)
  const s = await t.caller.settings.get()
  await t.caller.settings.update({
    maxConcurrentSessions: 32,
    providers: { ...s.providers, claude: { ...s.providers.claude, cliPath: opts.cliPath ?? FAKE_AGENT_PATH } }
  })
  const dir = join(tmp.dir, `p-${Math.random().toString(36).slice(2)}`)
  mkdirSync(dir)
  const project = await t.caller.projects.add({ path: dir })
  return { ...t, project }
}

function contiguous(seqs: number[]) {
  expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1))
}

describe('faults (fake agent, real supervisor and SQLite)', () => {
  it('CP-1: SIGKILL mid-line → complete lines kept gap-free, partial line recorded, status error with signal, group gone', async () => {
    const c = await setup()
    const s = await c.caller.sessions.start({ projectId: c.project.id, prompt: '[[crash-midline]]' })
    const got = await waitForStatus(c.core, s.id, ['error'])
    expect(got.statusReason?.signal).toBe('SIGKILL')
    contiguous(seqsOf(c.core, s.id))
    expect(seqsOf(c.core, s.id).length).toBeGreaterThanOrEqual(2) // the prompt and the system init before the crash
    expect(c.core.store.countRaw(s.id, 'parse_error')).toBeGreaterThanOrEqual(1)
  })

  it('CP-3: an agent that ignores SIGTERM is killed with SIGKILL; stop resolves in ≤ 6 s', async () => {
    const c = await setup()
    const s = await c.caller.sessions.start({ projectId: c.project.id, prompt: '[[ignore-sigterm]] [[sleep:60000]]' })
    // The trap is set once the agent has read the prompt: wait for its init.
    await waitFor('agent init', () => c.core.supervisor.getSession(s.id).cliSessionId)
    const pid = c.core.store.getSession(s.id)!.pid!
    const t0 = Date.now()
    const stopped = await c.caller.sessions.stop({ id: s.id })
    expect(Date.now() - t0).toBeLessThanOrEqual(6000)
    expect(stopped.status).toBe('interrupted')
    expect(groupGone(pid)).toBe(true)
  }, 20_000)

  it('CP-4: a leftover grandchild is killed with the group after the agent exits', async () => {
    const c = await setup()
    const s = await c.caller.sessions.start({ projectId: c.project.id, prompt: '[[grandchild]]' })
    await waitForStatus(c.core, s.id, ['done', 'error', 'idle'])
    const reply = c.core.store.messagesAfter(s.id, 0, 100).find((m) => m.text.includes('GRANDCHILD'))
    const gpid = Number(/GRANDCHILD (\d+)/.exec(reply?.text ?? '')?.[1])
    expect(gpid).toBeGreaterThan(0)
    await waitFor(
      'grandchild to be killed',
      () => {
        try {
          process.kill(gpid, 0)
          return false
        } catch {
          return true
        }
      },
      8000
    )
  })

  it('CP-5: a missing or non-executable binary is AGENT_NOT_FOUND and leaves nothing in starting', async () => {
    const c = await setup({ cliPath: join(tmp.dir, 'no-such-claude') })
    await expect(c.caller.sessions.start({ projectId: c.project.id, prompt: 'hi' })).rejects.toMatchObject({ code: 'PRECONDITION_FAILED' })
    const notExec = join(tmp.dir, 'not-exec-claude')
    copyFileSync(FAKE_AGENT_PATH, notExec)
    chmodSync(notExec, 0o644)
    const d = await setup({ cliPath: notExec })
    await expect(d.caller.sessions.start({ projectId: d.project.id, prompt: 'hi' })).rejects.toBeTruthy()
    for (const x of [c, d]) for (const s of await x.caller.sessions.list({ projectId: x.project.id })) expect(s.status).not.toBe('starting')
  })

  it('CP-6: an agent that exits 1 with an error on stderr → error with the stderr tail', async () => {
    const c = await setup()
    const s = await c.caller.sessions.start({ projectId: c.project.id, prompt: '[[exit:1]]' })
    const got = await waitForStatus(c.core, s.id, ['error'])
    expect(got.statusReason?.exitCode).toBe(1)
    expect(got.statusReason?.stderrTail?.length).toBeGreaterThan(0)
  })

  it('FR-3: malformed lines are recorded as parse errors and the stream goes on', async () => {
    const c = await setup()
    const s = await c.caller.sessions.start({ projectId: c.project.id, prompt: '[[malformed]] [[text:after-garbage]]' })
    await waitFor('reply after garbage', () => c.core.store.messagesAfter(s.id, 0, 100).some((m) => m.text === 'after-garbage'))
    expect(c.core.store.countRaw(s.id, 'parse_error')).toBeGreaterThanOrEqual(2)
    contiguous(seqsOf(c.core, s.id))
  })

  it('FR-4: a 10 MB line is parsed and stored in full; the API sends a preview', async () => {
    const c = await setup()
    const s = await c.caller.sessions.start({ projectId: c.project.id, prompt: '[[bigline:10]]' })
    const big = await waitFor('big message', () => c.core.store.messagesAfter(s.id, 0, 100).find((m) => m.text.length >= 10_000_000))
    const page = await c.caller.messages.page({ sessionId: s.id, beforeSeq: null, limit: 50 })
    const preview = page.messages.find((m) => m.seq === big.seq)
    expect(preview?.fullLength).toBe(big.text.length)
    expect(preview!.text.length).toBeLessThan(100_000)
    expect((await c.caller.messages.full({ sessionId: s.id, seq: big.seq })).text.length).toBe(big.text.length)
  }, 30_000)

  it('FR-5: a 40 MB line without newline is dropped with line_too_large; later lines still parse', async () => {
    const c = await setup()
    const s = await c.caller.sessions.start({ projectId: c.project.id, prompt: '[[hugeline:40]] [[text:survived]]' })
    await waitFor('reply after the huge line', () => c.core.store.messagesAfter(s.id, 0, 100).some((m) => m.text === 'survived'), 30_000)
    expect(c.core.store.countRaw(s.id, 'line_too_large')).toBe(1)
  }, 40_000)

  it('FR-6: multi-byte characters split across 1-byte chunks arrive intact', async () => {
    const c = await setup()
    const s = await c.caller.sessions.start({ projectId: c.project.id, prompt: '[[utf8-split]]' })
    await waitForStatus(c.core, s.id, ['idle'])
    const all = c.core.store
      .messagesAfter(s.id, 0, 100)
      .map((m) => m.text)
      .join('\n')
    expect(all).toMatch(/[\u{1F300}-\u{1FAFF}]/u)
    expect(all).not.toContain('\uFFFD')
  })

  it('FR-8: a stderr flood does not block stdout and the kept tail stays bounded', async () => {
    const c = await setup()
    const s = await c.caller.sessions.start({ projectId: c.project.id, prompt: '[[stderr-flood:20]] [[text:flooded]]' })
    await waitFor('reply after flood', () => c.core.store.messagesAfter(s.id, 0, 100).some((m) => m.text === 'flooded'), 30_000)
    await c.caller.sessions.stop({ id: s.id })
    const got = c.core.supervisor.getSession(s.id)
    expect((got.statusReason?.stderrTail ?? '').length).toBeLessThanOrEqual(64 * 1024)
  }, 40_000)

  it('SEC-7 / SEC-8: hostile prompts reach the agent byte-identical as data; forbidden env never does', async () => {
    const dump = join(tmp.dir, 'dump.jsonl')
    const c = await setup({ hostEnv: { CLAUDECODE: '1', CLAUDE_CODE_ENTRYPOINT: 'cli', NODE_OPTIONS: '--inspect', SECRET_THING: 'x' } })
    const hostile = `"; rm -rf ~; echo " $(touch ${tmp.dir}/pwned) \`id\` & calc %COMSPEC%\n--dangerously-skip-permissions -p ${'x'.repeat(250_000)}`
    // The dump path goes in as the user's extra env (the host env is allowlisted and would drop it).
    const s = await c.caller.sessions.start({ projectId: c.project.id, prompt: hostile, extraEnv: { FAKE_AGENT_DUMP: dump } })
    await waitForStatus(c.core, s.id, ['idle'])
    const lines = readFileSync(dump, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { argv: string[]; env: Record<string, string>; line: string })
    const userLine = lines.map((l) => JSON.parse(l.line)).find((m) => m.type === 'user')
    expect(userLine.message.content).toBe(hostile)
    const { argv, env } = lines[0]!
    expect(argv).not.toContain('--dangerously-skip-permissions')
    expect(argv.join(' ')).not.toContain('rm -rf')
    for (const k of ['CLAUDECODE', 'CLAUDE_CODE_ENTRYPOINT', 'NODE_OPTIONS', 'SECRET_THING']) expect(env[k]).toBeUndefined()
    expect(existsSync(join(tmp.dir, 'pwned'))).toBe(false)
  })

  it('CP-9: after a crash, the next launch kills the recorded process group only when pid and start time match', async () => {
    const c = await setup()
    const a = await c.caller.sessions.start({ projectId: c.project.id, prompt: '[[sleep:60000]] a' })
    const b = await c.caller.sessions.start({ projectId: c.project.id, prompt: '[[sleep:60000]] b' })
    await waitFor('both agents up', () => c.core.supervisor.getSession(a.id).cliSessionId && c.core.supervisor.getSession(b.id).cliSessionId)
    const pidA = c.core.store.getSession(a.id)!.pid!
    const pidB = c.core.store.getSession(b.id)!.pid!
    // b's recorded start time no longer matches (as if its pid had been reused by another program).
    c.core.store.updateSession(b.id, { pid_start_time: '1' })
    // "Crash": a new core opens the same data dir while the old one never shut down.
    const second = testCore({ providers: [new ClaudeProvider()], dataDir: c.dataDir, hostEnv: { PATH: process.env.PATH ?? '' } })
    cleanups.push(second.cleanup)
    // Read at once: the old core (still alive in this test process, unlike a real crash) will see its child die.
    for (const id of [a.id, b.id]) {
      const s = second.core.supervisor.getSession(id)
      expect(s.status).toBe('interrupted')
      expect(s.statusReason?.message).toMatch(/exited unexpectedly/)
    }
    await waitFor('recorded group to be killed', () => groupGone(pidA), 5000)
    expect(groupGone(pidB)).toBe(false)
    process.kill(-pidB, 'SIGKILL')
  })

  it('CP-10: stop and a follow-up at once, 20× on one session: the follow-up resumes after the old process is gone, never beside it', async () => {
    const c = await setup()
    const s = await c.caller.sessions.start({ projectId: c.project.id, prompt: '[[text:first]]' })
    await waitForStatus(c.core, s.id, ['idle'])
    const pids = new Set<number>()
    for (let i = 0; i < 20; i++) {
      const pid = c.core.store.getSession(s.id)?.pid
      if (pid) pids.add(pid)
      // The follow-up is sent while the stop is still under way (not awaited first).
      const [, sent] = await Promise.all([c.caller.sessions.stop({ id: s.id }), c.caller.sessions.send({ id: s.id, prompt: `[[text:round ${i}]]` })])
      // The follow-up is not refused: it resumes the conversation in a new process after the old one is gone.
      expect(sent.delivery).toBe('sent')
      if (pid) expect(groupGone(pid)).toBe(true)
      expect([...pids].filter((p) => !groupGone(p)).length).toBeLessThanOrEqual(1)
      await waitFor(
        `round ${i}`,
        () => c.core.supervisor.getSession(s.id).status === 'idle' && c.core.store.messagesAfter(s.id, 0, 1000).some((m) => m.text === `round ${i}`)
      )
    }
    const last = c.core.store.getSession(s.id)?.pid
    if (last) pids.add(last)
    expect(pids.size).toBe(21) // the first process and one per round
    expect([...pids].filter((p) => !groupGone(p))).toEqual([last])
    contiguous(seqsOf(c.core, s.id))
    await c.core.supervisor.shutdown()
    for (const p of pids) expect(groupGone(p)).toBe(true)
  }, 90_000)

  it('BP-5: 50 session starts within a second: none fails, none is left in starting, the cap queues the rest', async () => {
    const c = await setup()
    const s0 = await c.caller.settings.get()
    await c.caller.settings.update({ ...s0, maxConcurrentSessions: 8 })
    const started = await Promise.all(Array.from({ length: 50 }, (_, i) => c.caller.sessions.start({ projectId: c.project.id, prompt: `[[text:hello ${i}]]` })))
    expect(started.every((x) => ['starting', 'queued', 'running', 'idle'].includes(x.status))).toBe(true)
    for (const x of started) await waitForStatus(c.core, x.id, ['idle'], 60_000)
    for (const x of started) expect(c.core.store.messagesAfter(x.id, 0, 100).some((m) => m.kind === 'assistant' && m.text.startsWith('hello'))).toBe(true)
    await c.core.supervisor.shutdown()
  }, 90_000)

  it('20 concurrent sessions stream at once: every status true, every seq gap-free, no process left', async () => {
    const c = await setup()
    const ids = await Promise.all(
      Array.from({ length: 20 }, (_, i) => c.caller.sessions.start({ projectId: c.project.id, prompt: `[[events:200:0]] run ${i}` }).then((s) => s.id))
    )
    for (const id of ids) await waitForStatus(c.core, id, ['idle'], 60_000)
    const pids = ids.map((id) => c.core.store.getSession(id)!.pid!)
    for (const id of ids) {
      const seqs = seqsOf(c.core, id)
      contiguous(seqs)
      expect(seqs.length).toBeGreaterThanOrEqual(202)
    }
    await c.core.supervisor.shutdown()
    for (const id of ids) expect(c.core.supervisor.getSession(id).status).toBe('interrupted')
    for (const pid of pids) expect(groupGone(pid)).toBe(true)
  }, 90_000)
})
