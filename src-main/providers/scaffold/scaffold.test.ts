/** The provider scaffold's shared parts: pending requests with timeouts, CLI detection, helpers. */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { tempDir } from '../../../test/support/temp'
import { detectCli, findOnPath, locateCli } from './cli'
import { PendingRequests } from './pending-requests'
import { firstStringOf, isObj } from './values'

const cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})
const timeoutError = (label: string, ms: number) => new Error(`no answer to ${label} within ${ms} ms`)

describe('PendingRequests', () => {
  it('settles a request by its id once, with its result', async () => {
    const p = new PendingRequests<number>()
    const sent: number[] = []
    const answer = p.request(
      7,
      'ping',
      async () => {
        sent.push(7)
      },
      1000,
      timeoutError
    )
    expect(p.size).toBe(1)
    const taken = p.take(7)
    expect(taken?.label).toBe('ping')
    taken!.settle(null, 'pong')
    await expect(answer).resolves.toBe('pong')
    expect(sent).toEqual([7])
    expect(p.take(7)).toBeUndefined()
  })

  it('fails after its timeout, and a late answer finds nothing', async () => {
    const p = new PendingRequests<string>()
    await expect(p.request('a', 'slow', async () => {}, 20, timeoutError)).rejects.toThrow('no answer to slow within 20 ms')
    expect(p.size).toBe(0)
    expect(p.take('a')).toBeUndefined()
  })

  it('fails at once when the write fails', async () => {
    const p = new PendingRequests<string>()
    await expect(p.request('a', 'x', () => Promise.reject(new Error('pipe closed')), 1000, timeoutError)).rejects.toThrow('pipe closed')
    expect(p.size).toBe(0)
  })

  it('close fails everything waiting (with a per-request message) and every later request', async () => {
    const p = new PendingRequests<number>()
    const a = p.request(1, 'one', async () => {}, null, timeoutError)
    const b = p.request(2, 'two', async () => {}, null, timeoutError)
    p.close(new Error('gone'), (label) => new Error(`gone before ${label}`))
    await expect(a).rejects.toThrow('gone before one')
    await expect(b).rejects.toThrow('gone before two')
    await expect(p.request(3, 'three', async () => {}, null, timeoutError)).rejects.toThrow('gone')
    expect(p.closedWith?.message).toBe('gone')
  })
})

describe('CLI detection', () => {
  function fakeCli(dir: string, name: string, script: string, mode = 0o755): string {
    mkdirSync(dir, { recursive: true })
    const file = join(dir, name)
    writeFileSync(file, script)
    chmodSync(file, mode)
    return file
  }

  it('finds an executable on PATH (skipping relative entries and non-executables), reads its version', async () => {
    const t = tempDir('shepherd-cli-')
    cleanups.push(t.cleanup)
    fakeCli(join(t.dir, 'a'), 'agent', '#!/bin/sh\necho nope\n', 0o644)
    const good = fakeCli(join(t.dir, 'b'), 'agent', '#!/bin/sh\necho "agent-cli 1.2.3-beta (build 7)"\n')
    const path = ['relative/dir', join(t.dir, 'a'), join(t.dir, 'b')].join(':')
    expect(findOnPath('agent', path)).toBe(good)
    expect(locateCli('agent', null, path)).toBe(good)
    expect(locateCli('agent', 'not/absolute', path)).toBeNull()
    expect(locateCli('agent', good, '')).toBe(good)
    const found = await detectCli({ name: 'agent', installHint: 'npm i -g agent', configuredPath: null, envPath: path, versionEnv: () => ({}) })
    expect(found).toEqual({ found: true, path: good, version: '1.2.3-beta', installHint: 'npm i -g agent' })
    const quick = await detectCli({ name: 'agent', installHint: 'x', configuredPath: null, envPath: path, version: false, versionEnv: () => ({}) })
    expect(quick.version).toBeNull()
    const missing = await detectCli({ name: 'nothing-here', installHint: 'npm i -g nothing', configuredPath: null, envPath: path, versionEnv: () => ({}) })
    expect(missing).toEqual({ found: false, path: null, version: null, installHint: 'npm i -g nothing' })
  })
})

describe('values', () => {
  it('isObj accepts plain objects only; firstStringOf takes the first non-empty string key', () => {
    expect([isObj({}), isObj([]), isObj(null), isObj('x')]).toEqual([true, false, false, false])
    expect(firstStringOf({ path: '', file_path: 'a.txt', command: 'ls' }, ['path', 'file_path', 'command'])).toBe('a.txt')
    expect(firstStringOf({ path: 3 }, ['path'])).toBeNull()
    expect(firstStringOf('nope', ['path'])).toBeNull()
  })
})
