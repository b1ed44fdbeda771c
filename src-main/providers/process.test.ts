import { createHash } from 'node:crypto'
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { ShepherdError } from '../shared/errors'
import { LineSplitter } from './line-splitter'
import { groupAlive, type ManagedProcess, spawnManaged } from './process'

const POSIX = process.platform !== 'win32'
const dir = mkdtempSync(join(tmpdir(), 'shepherd-process-'))
const started: ManagedProcess[] = []
afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.stop(500)))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Spawn `node -e script`; resolves with the process and a promise for each stdout line. */
async function node(script: string) {
  const lines: string[] = []
  const waiters: ((line: string) => void)[] = []
  const splitter = new LineSplitter({
    onLine: (line) => {
      const w = waiters.shift()
      if (w) w(line)
      else lines.push(line)
    }
  })
  const proc = await spawnManaged(process.execPath, ['-e', script], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '' },
    onStdout: (c) => splitter.push(c),
    displayName: 'Test agent',
    installHint: 'npm install -g test-agent'
  })
  started.push(proc)
  const nextLine = () => new Promise<string>((resolve) => (lines.length > 0 ? resolve(lines.shift() as string) : waiters.push(resolve)))
  return { proc, nextLine }
}

/** Alive and not a zombie (this VM's init does not reap orphans). */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return process.platform !== 'linux'
  }
}

describe.runIf(POSIX)('spawnManaged / stop', () => {
  it('CP-3: a child ignoring SIGTERM is SIGKILLed within grace + 1 s', async () => {
    const { proc, nextLine } = await node(`process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)`)
    expect(await nextLine()).toBe('ready')
    const t0 = Date.now()
    const exit = await proc.stop(1000)
    const elapsed = Date.now() - t0
    expect(exit.signal).toBe('SIGKILL')
    expect(elapsed).toBeGreaterThanOrEqual(950)
    expect(elapsed).toBeLessThan(2000)
    expect(groupAlive(proc.pid)).toBe(false)
  })

  it('a cooperative child exits on SIGTERM well before the grace', async () => {
    const { proc, nextLine } = await node(`console.log('ready'); setInterval(() => {}, 1000)`)
    await nextLine()
    const t0 = Date.now()
    const exit = await proc.stop(5000)
    expect(exit.signal).toBe('SIGTERM')
    expect(Date.now() - t0).toBeLessThan(1500)
  })

  it('CP-2/CP-4: stop leaves nothing of the group, grandchild included', async () => {
    const { proc, nextLine } = await node(
      `const c = require('child_process').spawn('sleep', ['1000'], { stdio: 'inherit' }); console.log(c.pid); setInterval(() => {}, 1000)`
    )
    const grandchild = Number(await nextLine())
    expect(alive(grandchild)).toBe(true)
    const exit = await proc.stop(2000)
    expect(exit.signal).toBe('SIGTERM')
    expect(alive(grandchild)).toBe(false)
    expect(groupAlive(proc.pid)).toBe(false)
    // stop() is idempotent
    expect(await proc.stop(2000)).toBe(exit)
  })

  it('CP-4: leftover group members are killed after the leader exits by itself', async () => {
    const { proc, nextLine } = await node(
      `const c = require('child_process').spawn('sleep', ['1000'], { stdio: 'ignore' }); console.log(c.pid); setTimeout(() => process.exit(0), 100)`
    )
    const grandchild = Number(await nextLine())
    const exit = await proc.exited
    expect(exit.code).toBe(0)
    const deadline = Date.now() + 3000
    while (groupAlive(proc.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    expect(groupAlive(proc.pid)).toBe(false)
    expect(alive(grandchild)).toBe(false)
  })

  it('exited resolves after a grandchild holding stdout is cleaned up', async () => {
    const { proc } = await node(`require('child_process').spawn('sleep', ['1000'], { stdio: 'inherit' }); setTimeout(() => process.exit(3), 100)`)
    const t0 = Date.now()
    const exit = await proc.exited
    expect(exit.code).toBe(3)
    expect(Date.now() - t0).toBeLessThan(4000)
  })

  it('a process that escaped the group (setsid) holding stdout does not hang stop()', async () => {
    const { proc, nextLine } = await node(
      `const c = require('child_process').spawn('sleep', ['1000'], { stdio: 'inherit', detached: true }); console.log(c.pid); setInterval(() => {}, 1000)`
    )
    const escaped = Number(await nextLine())
    try {
      const t0 = Date.now()
      const exit = await proc.stop(1000)
      expect(exit.signal).toBe('SIGTERM')
      expect(Date.now() - t0).toBeLessThan(1500)
      expect(await proc.exited).toBe(exit)
    } finally {
      process.kill(escaped, 'SIGKILL')
    }
  })

  it('records the start time and keeps a bounded stderr tail', async () => {
    const { proc } = await node(`process.stderr.write('x'.repeat(200 * 1024) + 'é' + 'THE END'); setTimeout(() => {}, 50)`)
    if (process.platform === 'linux') expect(proc.startTime).toBeGreaterThan(0)
    const exit = await proc.exited
    expect(Buffer.byteLength(exit.stderrTail)).toBeLessThanOrEqual(64 * 1024)
    expect(exit.stderrTail.endsWith('éTHE END')).toBe(true)
    expect(exit.stderrTail).not.toContain('\uFFFD')
  })

  it('FR-10: big and small messages arrive as whole lines, byte-identical, in order', async () => {
    const { proc, nextLine } = await node(
      `require('readline').createInterface({ input: process.stdin }).on('line', (l) => console.log(l.length + ' ' + require('crypto').createHash('sha256').update(l).digest('hex')))`
    )
    const messages = ['small', JSON.stringify({ prompt: '"; rm -rf ~; $(touch pwned) `x` é🐑 '.repeat(40_000) }), 'after']
    await Promise.all(messages.map((m) => proc.writeLine(m)))
    for (const m of messages) {
      expect(await nextLine()).toBe(`${m.length} ${createHash('sha256').update(m).digest('hex')}`)
    }
    await expect(proc.writeLine('two\nlines')).rejects.toThrow(/newline/)
  })

  it('writes after the child exited reject instead of throwing EPIPE', async () => {
    const { proc } = await node(`process.exit(0)`)
    await proc.exited
    await expect(proc.writeLine('hello')).rejects.toThrow()
  })

  it('pauseStdout / resumeStdout hold back and then deliver output', async () => {
    const { proc, nextLine } = await node(`console.log('one'); setTimeout(() => console.log('two'), 200); setTimeout(() => {}, 400)`)
    expect(await nextLine()).toBe('one')
    proc.pauseStdout()
    let got: string | null = null
    void nextLine().then((l) => (got = l))
    await new Promise((r) => setTimeout(r, 400))
    expect(got).toBeNull()
    proc.resumeStdout()
    await new Promise((r) => setTimeout(r, 50))
    expect(got).toBe('two')
  })
})

describe('spawn errors (CP-5)', () => {
  const opts = { cwd: dir, env: {}, onStdout: () => {}, displayName: 'Claude Code', installHint: 'npm install -g @anthropic-ai/claude-code' }

  it('ENOENT → AGENT_NOT_FOUND naming the install command', async () => {
    const err = await spawnManaged(join(dir, 'no-such-claude'), [], opts).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ShepherdError)
    expect((err as ShepherdError).code).toBe('AGENT_NOT_FOUND')
    expect((err as ShepherdError).message).toContain('npm install -g @anthropic-ai/claude-code')
  })

  it.runIf(POSIX)('EACCES (no execute bit, also as root) → SPAWN_FAILED', async () => {
    const file = join(dir, 'not-executable')
    writeFileSync(file, '#!/bin/sh\n')
    chmodSync(file, 0o644)
    const err = await spawnManaged(file, [], opts).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ShepherdError)
    expect((err as ShepherdError).code).toBe('SPAWN_FAILED')
    expect((err as ShepherdError).message).toContain('EACCES')
  })

  it('a missing working directory → SPAWN_FAILED, not AGENT_NOT_FOUND', async () => {
    const err = await spawnManaged(process.execPath, [], { ...opts, cwd: join(dir, 'gone') }).catch((e: unknown) => e)
    expect((err as ShepherdError).code).toBe('SPAWN_FAILED')
    expect((err as ShepherdError).message).toContain('working directory')
  })
})
