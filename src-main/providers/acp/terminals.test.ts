import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { groupAlive } from '../process'
import { OutputBuffer, TerminalManager } from './terminals'

const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'shepherd-acp-term-')))
mkdirSync(path.join(dir, 'sub'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' }

describe('OutputBuffer', () => {
  it('keeps the newest bytes and never starts inside a UTF-8 character', () => {
    const b = new OutputBuffer(5)
    b.push(Buffer.from('ab'))
    expect([b.text(), b.truncated]).toEqual(['ab', false])
    b.push(Buffer.from('cdé€')) // é = 2 bytes, € = 3 bytes: the last 5 bytes are é€
    expect(b.text()).toBe('é€')
    b.push(Buffer.from('x')) // 6 bytes would be needed for é€x: é is cut whole
    expect([b.text(), b.truncated]).toEqual(['€x', true])
  })

  it('a zero limit keeps nothing', () => {
    const b = new OutputBuffer(0)
    b.push(Buffer.from('abc'))
    expect([b.text(), b.truncated]).toEqual(['', true])
  })
})

describe('TerminalManager', () => {
  it('runs argv without a shell, in the project or a folder inside it, with extra env', async () => {
    const t = new TerminalManager({ projectDir: dir, env })
    const { terminalId } = await t.create({
      command: 'sh',
      args: ['-c', 'pwd; echo "$GREETING"; echo "$0" >&2'],
      cwd: path.join(dir, 'sub'),
      env: [{ name: 'GREETING', value: '$(not expanded by us)' }]
    })
    expect(await t.waitForExit({ terminalId })).toEqual({ exitCode: 0, signal: null })
    expect(t.output({ terminalId })).toEqual({
      output: `${path.join(dir, 'sub')}\n$(not expanded by us)\nsh\n`,
      truncated: false,
      exitStatus: { exitCode: 0, signal: null }
    })
    t.release({ terminalId })
    expect(() => t.output({ terminalId })).toThrow(/no terminal/)
  })

  it('a whole command line without args runs through /bin/sh -c', async () => {
    const t = new TerminalManager({ projectDir: dir, env })
    const { terminalId } = await t.create({ command: 'echo one && echo two' })
    await t.waitForExit({ terminalId })
    expect(t.output({ terminalId }).output).toBe('one\ntwo\n')
  })

  it('refuses a cwd outside the project, bad env, unknown commands and too many terminals', async () => {
    const t = new TerminalManager({ projectDir: path.join(dir, 'sub'), env })
    await expect(t.create({ command: 'ls', cwd: dir })).rejects.toThrow(/outside the project folder/)
    await expect(t.create({ command: 'ls', env: [{ name: 'A=B', value: 'x' }] })).rejects.toThrow(/env entries/)
    await expect(t.create({ command: 'definitely-not-a-command-xyz', args: [] })).rejects.toThrow(/not found/)
    await expect(t.create({})).rejects.toThrow(/needs a command/)
  })

  it('kill stops the whole process group but keeps the output; closeAll kills what is left', async () => {
    const t = new TerminalManager({ projectDir: dir, env })
    const { terminalId } = await t.create({ command: 'sh', args: ['-c', 'echo started; sleep 30 & sleep 30; wait'] })
    await new Promise((r) => setTimeout(r, 200))
    const pid = (t as unknown as { terminals: Map<string, { child: { pid: number } }> }).terminals.get(terminalId)!.child.pid
    expect(groupAlive(pid)).toBe(true)
    t.kill({ terminalId })
    expect((await t.waitForExit({ terminalId })).signal).toBe('SIGTERM')
    await new Promise((r) => setTimeout(r, 100))
    expect(groupAlive(pid)).toBe(false)
    expect(t.output({ terminalId }).output).toBe('started\n')

    const second = await t.create({ command: 'sleep', args: ['30'] })
    const pid2 = (t as unknown as { terminals: Map<string, { child: { pid: number } }> }).terminals.get(second.terminalId)!.child.pid
    t.closeAll()
    await new Promise((r) => setTimeout(r, 100))
    expect(groupAlive(pid2)).toBe(false)
    await expect(t.create({ command: 'true' })).rejects.toThrow(/closing/)
  })
})
