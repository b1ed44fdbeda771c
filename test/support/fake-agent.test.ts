import { afterEach, describe, expect, it } from 'vitest'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { FAKE_AGENT_PATH, startJsonlProcess, userLine, type JsonlProcess } from './agents'

const running: JsonlProcess[] = []
const tmpDirs: string[] = []

afterEach(() => {
  for (const p of running.splice(0)) p.kill()
  for (const d of tmpDirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function startAgent(args: string[] = [], env: Record<string, string> = {}): JsonlProcess {
  // Executed directly (shebang), exactly how the supervisor will spawn a `claude` binary.
  const p = startJsonlProcess(FAKE_AGENT_PATH, ['-p', '--output-format', 'stream-json', '--input-format', 'stream-json', '--verbose', ...args], {
    env: { ...process.env, ...env }
  })
  running.push(p)
  return p
}

const isResult = (m: any): boolean => m.type === 'result'
/** Alive = exists and is not a zombie (orphans may not get reaped quickly inside containers). */
const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return true // no procfs
  }
}

describe('fake agent: protocol', () => {
  it('runs several turns in one process like the real CLI and exits 0 on stdin EOF', async () => {
    const p = startAgent(['--model', 'claude-fake-a'])
    p.send(userLine('first turn [[text:Reply one]]'))
    const r1 = await p.waitFor(isResult)
    p.send(userLine('second turn'))
    const r2 = await p.waitFor(isResult, 10_000, p.messages.indexOf(r1) + 1)
    p.end()
    expect(await p.exited).toEqual({ code: 0, signal: null })

    const types = p.messages.map((m) => (m.subtype ? `${m.type}/${m.subtype}` : m.type))
    expect(types).toEqual(['system/init', 'assistant', 'result/success', 'system/init', 'assistant', 'result/success'])
    const [init1, a1, , init2, a2] = p.messages
    expect(init1.session_id).toMatch(/^[0-9a-f-]{36}$/)
    expect(init2.session_id).toBe(init1.session_id)
    expect(init1.model).toBe('claude-fake-a')
    expect(a1.message.content).toEqual([{ type: 'text', text: 'Reply one' }])
    expect(a2.message.content).toEqual([{ type: 'text', text: 'ACK: second turn' }])
    expect(r1).toMatchObject({ subtype: 'success', is_error: false, result: 'Reply one', session_id: init1.session_id })
    expect(r1.usage).toMatchObject({ input_tokens: expect.any(Number), output_tokens: expect.any(Number) })
    expect(r2.total_cost_usd).toBeGreaterThan(r1.total_cost_usd) // cumulative, like the real CLI
    expect(p.nonJson).toEqual([])
  })

  it('answers control requests (initialize, set_model, set_permission_mode, interrupt)', async () => {
    const p = startAgent()
    p.send({ type: 'control_request', request_id: 'req_1', request: { subtype: 'initialize', hooks: {} } })
    const init = await p.waitFor((m) => m.type === 'control_response' && m.response.request_id === 'req_1')
    expect(init.response).toMatchObject({ subtype: 'success', response: { pid: p.child.pid, current_permission_mode: 'default' } })

    p.send({ type: 'control_request', request_id: 'req_2', request: { subtype: 'set_model', model: 'claude-fake-b' } })
    p.send({ type: 'control_request', request_id: 'req_3', request: { subtype: 'set_permission_mode', mode: 'acceptEdits' } })
    await p.waitFor((m) => m.response?.request_id === 'req_3')
    expect(p.messages.find((m) => m.response?.request_id === 'req_2').response.response).toEqual({ model: 'claude-fake-b' })

    p.send(userLine('be slow [[sleep:20000]]'))
    const sysInit = await p.waitFor((m) => m.subtype === 'init')
    expect(sysInit).toMatchObject({ model: 'claude-fake-b', permissionMode: 'acceptEdits' })
    p.send({ type: 'control_request', request_id: 'req_4', request: { subtype: 'interrupt' } })
    const ack = await p.waitFor((m) => m.response?.request_id === 'req_4')
    expect(ack.response).toEqual({ subtype: 'success', request_id: 'req_4', response: { still_queued: [] } })
    const result = await p.waitFor(isResult, 5000)
    expect(result).toMatchObject({ subtype: 'error_during_execution', is_error: true })

    p.send(userLine('[[text:still alive]]'))
    const next = await p.waitFor((m) => isResult(m) && m.result === 'still alive')
    expect(next.is_error).toBe(false)
    p.end()
    expect((await p.exited).code).toBe(0)
  })

  it('dumps argv, env and stdin lines byte-identically to FAKE_AGENT_DUMP', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fake-agent-dump-'))
    tmpDirs.push(dir)
    const dump = path.join(dir, 'dump.jsonl')
    const tricky = `quotes " ' \` $(rm -rf /) \\ \t ünïcödé 🐑 ; | && $HOME`
    const p = startAgent(['--model', 'x y z'], { FAKE_AGENT_DUMP: dump, SHEPHERD_MARKER: 'marker-42' })
    const line = JSON.stringify(userLine(tricky))
    p.child.stdin!.write(line + '\n')
    await p.waitFor(isResult)
    p.end()
    await p.exited
    const entries = readFileSync(dump, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(entries).toHaveLength(1)
    expect(entries[0].argv).toEqual(['-p', '--output-format', 'stream-json', '--input-format', 'stream-json', '--verbose', '--model', 'x y z'])
    expect(entries[0].env.SHEPHERD_MARKER).toBe('marker-42')
    expect(entries[0].stdinLines).toEqual([line])
    expect(JSON.parse(entries[0].stdinLines[0]).message.content).toBe(tricky)
    expect(p.messages.find((m) => m.type === 'assistant').message.content[0].text).toBe(`ACK: ${Array.from(tricky).slice(0, 60).join('')}`)
  })

  it('asks for permission over the control protocol with [[permission:CMD]]', async () => {
    const p = startAgent()
    p.send(userLine('[[permission:touch x]]'))
    const req = await p.waitFor((m) => m.type === 'control_request')
    expect(req.request).toMatchObject({ subtype: 'can_use_tool', tool_name: 'Bash', input: { command: 'touch x' } })
    p.send({
      type: 'control_response',
      response: { subtype: 'success', request_id: req.request_id, response: { behavior: 'allow', updatedInput: req.request.input } }
    })
    const result = await p.waitFor(isResult)
    expect(result.result).toBe('DONE. Tool output was: ran: touch x')
    expect(p.messages.some((m) => m.type === 'user' && m.message.content[0].type === 'tool_result')).toBe(true)
    p.end()
  })
})

describe('fake agent: misbehaviours', () => {
  it('[[crash-midline]] writes half a line and dies by SIGKILL', async () => {
    const p = startAgent()
    p.send(userLine('[[crash-midline]]'))
    const exit = await p.exited
    expect(exit).toEqual({ code: null, signal: 'SIGKILL' })
    expect(p.messages.map((m) => m.subtype ?? m.type)).toEqual(['init'])
    expect(p.nonJson).toHaveLength(1)
    expect(p.nonJson[0]).toMatch(/^\{"type":"assistant"/)
    expect(() => JSON.parse(p.nonJson[0]!)).toThrow()
  })

  it('[[malformed]] puts a non-JSON and a truncated JSON line between good ones', async () => {
    const p = startAgent()
    p.send(userLine('[[malformed]] [[text:survived]]'))
    const result = await p.waitFor(isResult)
    expect(result.result).toBe('survived')
    expect(p.nonJson.length).toBeGreaterThanOrEqual(2)
    expect(p.nonJson[1]).toMatch(/^\{"type":"assistant"/)
    expect(p.messages.map((m) => m.subtype ?? m.type)).toEqual(['init', 'assistant', 'success'])
    p.end()
  })

  it('[[no-newline]] ends without a trailing newline and exits', async () => {
    const p = startAgent()
    p.send(userLine('[[no-newline]]'))
    expect((await p.exited).code).toBe(0)
    // the startJsonlProcess reader only sees the unterminated tail at close
    expect(JSON.parse(p.lines.at(-1)!).type).toBe('result')
    expect(p.messages.some(isResult)).toBe(false)
  })

  it('[[exit:CODE]] writes to stderr and exits with CODE', async () => {
    const p = startAgent()
    p.send(userLine('[[exit:3]]'))
    expect(await p.exited).toEqual({ code: 3, signal: null })
    expect(p.stderr()).toMatch(/Error: .*exit code 3/)
  })

  it('[[ignore-sigterm]] survives SIGTERM and stdin EOF; only SIGKILL ends it', async () => {
    const p = startAgent()
    p.send(userLine('[[ignore-sigterm]]'))
    await p.waitFor(isResult)
    p.end()
    p.child.kill('SIGTERM')
    await new Promise((r) => setTimeout(r, 400))
    expect(p.child.exitCode).toBeNull()
    expect(isAlive(p.child.pid!)).toBe(true)
    expect(p.stderr()).toContain('ignoring SIGTERM')
    p.child.kill('SIGKILL')
    expect((await p.exited).signal).toBe('SIGKILL')
  })

  it('[[grandchild]] leaves a `sleep 1000` in its process group and exits 0', async () => {
    const p = startAgent()
    p.send(userLine('[[grandchild]]'))
    const exit = await p.exited
    expect(exit.code).toBe(0)
    const pid = Number(/GRANDCHILD (\d+)/.exec(p.messages.find(isResult).result)![1])
    try {
      expect(isAlive(pid)).toBe(true)
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const pgid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2])
      expect(pgid).toBe(p.child.pid) // startJsonlProcess spawns detached: the agent leads its group
    } finally {
      process.kill(-p.child.pid!, 'SIGKILL')
    }
    await new Promise((r) => setTimeout(r, 50))
    expect(isAlive(pid)).toBe(false)
  })

  it('[[bigline:MB]], [[hugeline:MB]], [[utf8-split]], [[stderr-flood:MB]], [[events:N:RATE]]', async () => {
    const p = startAgent()
    p.send(userLine('[[bigline:1]]'))
    const r1 = await p.waitFor(isResult)
    const big = p.messages.find((m) => m.type === 'assistant')
    expect(big.message.content[0].text.length).toBe(1024 * 1024)

    let from = p.messages.length
    p.send(userLine('[[hugeline:0.5]] [[text:after huge]]'))
    await p.waitFor((m) => isResult(m) && m !== r1 && m.result === 'after huge', 10_000, from)
    const huge = p.nonJson.find((l) => l.startsWith('HHHH'))
    expect(huge?.length).toBe(512 * 1024)

    from = p.messages.length
    p.send(userLine('[[utf8-split]]'))
    const r3 = await p.waitFor(isResult, 10_000, from)
    expect(p.messages.slice(from).find((m) => m.type === 'assistant').message.content[0].text).toBe(r3.result)
    expect(r3.result).toContain('你好')
    expect(r3.result).toContain('🧑‍🌾')
    expect(r3.result).not.toContain('\uFFFD')

    from = p.messages.length
    p.send(userLine('[[stderr-flood:1]]'))
    await p.waitFor(isResult, 10_000, from)
    expect(p.stderr().length).toBeGreaterThanOrEqual(1024 * 1024)

    from = p.messages.length
    const t0 = Date.now()
    p.send(userLine('[[events:20:100]]'))
    const r5 = await p.waitFor(isResult, 10_000, from)
    expect(r5.result).toBe('EVENTS 20')
    expect(p.messages.slice(from).filter((m) => m.type === 'assistant')).toHaveLength(20)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150)
    p.end()
    expect((await p.exited).code).toBe(0)
  })
})
