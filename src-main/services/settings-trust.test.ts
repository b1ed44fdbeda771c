/** Issue 12 item 4: the model setting is validated like the per-session model; refused env keys never reach an agent. */
import { afterEach, describe, expect, it } from 'vitest'
import { testCore } from '../../test/support/core'
import { SettingsService } from './settings'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c()
})

function setup() {
  const t = testCore()
  cleanups.push(() => t.cleanup())
  return t
}

describe('settings: model and extra env', () => {
  it.each(['--dangerously-skip-permissions', 'gpt 5', 'm;rm -rf /', 'model\n--flag', '$(id)', 'x'.repeat(201), ''])(
    'refuses the model %j for every agent, on the field',
    async (model) => {
      const { caller } = setup()
      for (const id of ['claude', 'codex', 'opencode', 'acp'] as const) {
        const providers = { ...(await caller.settings.get()).providers }
        providers[id] = { ...providers[id], model }
        await expect(caller.settings.update({ providers })).rejects.toMatchObject({
          cause: { issues: expect.arrayContaining([expect.objectContaining({ path: ['providers', id, 'model'] })]) }
        })
      }
    }
  )

  it('accepts the model names the per-session field accepts', async () => {
    const { caller } = setup()
    const providers = { ...(await caller.settings.get()).providers }
    providers.opencode = { ...providers.opencode, model: 'openrouter/anthropic/claude-sonnet-4.5' }
    providers.claude = { ...providers.claude, model: 'claude-sonnet-4-5[1m]' }
    providers.codex = { ...providers.codex, model: null }
    const saved = await caller.settings.update({ providers })
    expect(saved.providers.opencode.model).toBe('openrouter/anthropic/claude-sonnet-4.5')
    expect(saved.providers.claude.model).toBe('claude-sonnet-4-5[1m]')
  })

  it.each(['BASH_ENV', 'GIT_SSH_COMMAND', 'NODE_TLS_REJECT_UNAUTHORIZED', 'PYTHONSTARTUP', 'XDG_CONFIG_HOME', 'OPENAI_BASE_URL'])(
    'refuses extra env %s on its field and saves nothing',
    async (key) => {
      const { caller } = setup()
      await expect(caller.settings.update({ extraEnv: { OK_ONE: '1', [key]: 'x' } })).rejects.toMatchObject({
        cause: { issues: [expect.objectContaining({ path: ['extraEnv', key], message: expect.stringContaining('cannot be set here') })] }
      })
      expect((await caller.settings.get()).extraEnv).toEqual({})
    }
  )

  it('a refused variable stored by an older version is dropped, the other settings are kept', async () => {
    const { core, caller } = setup()
    core.store.setSetting('app', JSON.stringify({ retentionCount: 7, extraEnv: { BASH_ENV: '/tmp/evil.sh', HTTPS_PROXY: 'http://p:1' } }))
    void caller
    const s = new SettingsService(core.store).get()
    expect(s.retentionCount).toBe(7)
    expect(s.extraEnv).toEqual({ HTTPS_PROXY: 'http://p:1' })
  })
})
