/**
 * OpenCode on an SSH host, as an ACP agent (`opencode acp` over the ssh channel's stdio, like Claude
 * Code and Codex: one stdio protocol, no port forward to keep alive). Real sshd on 127.0.0.1
 * (test/support/sshd.ts), the pinned OpenCode on the host account's PATH, its config and XDG dirs on
 * the host. The client-side fs/terminal capabilities are not offered for a host agent (they would act
 * on this machine), so OpenCode runs its own tools there. Skips with the reason where sshd cannot run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { startFakeModelServer, type FakeModelServer } from '../support/fake-model-server.mjs'
import { acpOpenCodeConfig, OPENCODE_OFFLINE_ENV, opencodeAcpBinary } from '../support/acp-sandbox'
import { seedOpenCodeConfigDir, xdgDirs } from '../support/agent-config'
import { testCore } from '../support/core'
import { waitFor } from '../support/live'
import { sshdSkipReason, startSshd, SSH_ALIAS, REMOTE_USER, type TestSshd } from '../support/sshd'
import { AcpProvider } from '../../src-main/providers/acp/provider'
import type { RemoteError } from '../../src-main/remote/errors'
import { parseRemoteLocation } from '../../src-main/remote/location'

const skip = sshdSkipReason()

describe.skipIf(skip)('OpenCode (ACP) on an SSH host (real sshd on 127.0.0.1)', () => {
  let sshd: TestSshd
  let server: FakeModelServer
  let c: ReturnType<typeof testCore>
  let projectDir: string

  beforeAll(async () => {
    sshd = await startSshd()
    server = await startFakeModelServer()
    const home = sshd.remoteDir('opencode-home')
    const xdg = xdgDirs(home)
    for (const d of Object.values(xdg)) mkdirSync(d, { recursive: true })
    seedOpenCodeConfigDir(path.join(xdg.XDG_CONFIG_HOME, 'opencode'))
    projectDir = sshd.remoteDir('acp project')
    writeFileSync(path.join(projectDir, 'opencode.json'), JSON.stringify(acpOpenCodeConfig(server.url), null, 2))
    execFileSync('chown', ['-R', `${REMOTE_USER}:${REMOTE_USER}`, home, projectDir])
    let readCommand: () => readonly string[] | undefined = () => undefined
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      LANG: 'C.UTF-8',
      ...xdg,
      ...OPENCODE_OFFLINE_ENV,
      SHEPHERD_SSH_CONFIG: sshd.configFile
    }
    c = testCore({ providers: [new AcpProvider({ command: () => readCommand() })], hostEnv: env })
    const settings = c.core.createContext().settings
    readCommand = () => settings.get().providers.acp.command
    const s = await c.caller.settings.get()
    // The local command's program (an absolute path here) is looked up by its name on the host.
    await c.caller.settings.update({
      defaultProvider: 'acp',
      providers: { ...s.providers, acp: { ...s.providers.acp, command: `'${opencodeAcpBinary()}' acp` } }
    })
  }, 60_000)
  afterAll(async () => {
    await c?.cleanup()
    await server?.close()
    await sshd?.stop()
  }, 60_000)

  it('a turn with a shell command runs on the host; stop leaves no process there', async () => {
    const location = `${SSH_ALIAS}:${projectDir}`
    const refused = await c.caller.remote.check({ location }).then(
      () => null,
      (err: { cause?: unknown }) => err.cause as RemoteError
    )
    if (refused) await c.caller.remote.acceptHostKey({ location, fingerprint: refused.fields?.fingerprint as string })
    const project = await c.caller.projects.add({ path: location })
    const s = await c.caller.sessions.start({
      projectId: project.id,
      prompt: 'please [[bash:touch made-by-opencode.txt && pwd]]',
      permissionMode: 'acceptEdits'
    })
    await waitFor(
      'the turn',
      async () => {
        for (const a of await c.caller.sessions.approvals({ projectId: project.id })) {
          await c.caller.sessions.answerApproval({ approvalId: a.id, decision: { behavior: 'allow', scope: 'once' } })
        }
        const cur = c.core.supervisor.getSession(s.id)
        return cur.status === 'idle' && c.core.store.messagesAfter(s.id, 0, 1000).some((m) => m.kind === 'assistant' && m.text.includes('DONE.')) ? true : null
      },
      120_000,
      200
    )
    // Made on the host by its account (OpenCode's own shell tool there, not a client terminal here).
    expect(existsSync(path.join(projectDir, 'made-by-opencode.txt'))).toBe(true)
    expect(statSync(path.join(projectDir, 'made-by-opencode.txt')).uid).toBe(statSync(projectDir).uid)
    expect(statSync(projectDir).uid).not.toBe(process.getuid?.())
    expect(readFileSync(path.join(projectDir, 'opencode.json'), 'utf8')).toContain('fake')
    const hosts = c.core.createContext().remote.hosts
    const ps = async () =>
      (await hosts.exec(parseRemoteLocation(`${SSH_ALIAS}:/`), 'ps -u "$(id -u)" -o args=')).stdout
        .split('\n')
        .filter((l) => /opencode|shepherd\.|^cat$/.test(l.trim()))
    expect((await ps()).some((l) => /opencode/.test(l))).toBe(true)
    await c.caller.sessions.stop({ id: s.id })
    await waitFor('no process left on the host', async () => ((await ps()).length === 0 ? true : null), 15_000, 250)
  }, 180_000)
})
