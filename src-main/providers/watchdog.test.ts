import { spawn, spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { groupAlive } from './process'
import { watchdogCommand, watchGroup } from './watchdog'

const posix = process.platform !== 'win32'
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function gone(pgid: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs
  while (Date.now() < deadline) {
    if (!groupAlive(pgid)) return true
    await sleep(25)
  }
  return !groupAlive(pgid)
}

/** A process group standing in for an agent: a shell leader and a grandchild, both sleeping. */
function agentGroup(): number {
  const child = spawn('/bin/sh', ['-c', 'sleep 300 & sleep 300'], { detached: true, stdio: 'ignore' })
  child.unref()
  return child.pid as number
}

describe.runIf(posix)('watchdog: agents die with the host (issue 11 #9)', () => {
  it('a host killed with SIGKILL takes its agent group along within 2 s', async () => {
    const pgid = agentGroup()
    await sleep(100)
    expect(groupAlive(pgid)).toBe(true)
    // The "host": holds the watchdog's pipe exactly as ManagedProcess does, then is killed -9.
    const [file, args] = watchdogCommand(pgid)
    const hostScript = `const { spawn } = require('node:child_process');
      const [file, args] = JSON.parse(process.argv[1]);
      const w = spawn(file, args, { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
      w.unref(); console.log('ready'); setInterval(() => {}, 1000)`
    const host = spawn(process.execPath, ['-e', hostScript, JSON.stringify([file, args])], { stdio: ['ignore', 'pipe', 'ignore'] })
    await new Promise<void>((r) => host.stdout!.once('data', () => r()))
    await sleep(200)
    expect(groupAlive(pgid)).toBe(true)
    host.kill('SIGKILL')
    expect(await gone(pgid, 2_000)).toBe(true)
  })

  it('a released watchdog signals nothing', async () => {
    const pgid = agentGroup()
    await sleep(100)
    const w = watchGroup(pgid)
    expect(w.pid).toBeGreaterThan(0)
    w.release()
    w.release()
    // The watchdog exits on its own; the group it watched is left alone.
    const deadline = Date.now() + 2_000
    while (Date.now() < deadline && spawnSync('kill', ['-0', String(w.pid)]).status === 0) await sleep(25)
    expect(spawnSync('kill', ['-0', String(w.pid)]).status).not.toBe(0)
    await sleep(1_200)
    expect(groupAlive(pgid)).toBe(true)
    process.kill(-pgid, 'SIGKILL')
  })

  it('refuses a process group id that is not a plain positive number', () => {
    expect(() => watchdogCommand(0)).toThrow()
    expect(() => watchdogCommand(1)).toThrow()
    expect(() => watchdogCommand(Number.NaN)).toThrow()
  })
})
