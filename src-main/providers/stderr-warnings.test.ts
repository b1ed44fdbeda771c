import { describe, expect, it } from 'vitest'
import { cliWarningOf } from './stderr-warnings'

describe('cliWarningOf (stderr lines recorded from codex app-server 0.171.0)', () => {
  it('keeps what says the agent runs degraded', () => {
    expect(
      cliWarningOf(
        'WARNING: proceeding, even though we could not create PATH aliases: Refusing to create helper binaries under temporary dir "/tmp" (codex_home: AbsolutePathBuf("/tmp/x/.codex"))'
      )
    ).toBe(
      'proceeding, even though we could not create PATH aliases: Refusing to create helper binaries under temporary dir "/tmp" (codex_home: AbsolutePathBuf("/tmp/x/.codex"))'
    )
    expect(
      cliWarningOf(
        '\u001b[2m2026-12-06T23:02:13.756323Z\u001b[0m \u001b[31mERROR\u001b[0m \u001b[2mcodex_app_server\u001b[0m\u001b[2m:\u001b[0m Codex could not find bubblewrap on PATH. Install bubblewrap with your OS package manager.'
      )
    ).toBe('Codex could not find bubblewrap on PATH. Install bubblewrap with your OS package manager.')
  })

  it('drops logging that is not about the user (connection noise, info, blank)', () => {
    expect(
      cliWarningOf(
        '\u001b[2m2026-12-06T23:02:14.189231Z\u001b[0m \u001b[31mERROR\u001b[0m \u001b[2mcodex_api::endpoint::responses_websocket\u001b[0m\u001b[2m:\u001b[0m failed to connect to Responses WebSocket'
      )
    ).toBeNull()
    expect(cliWarningOf('2026-12-06T23:02:14.1Z  INFO codex_core: sandbox ready')).toBeNull()
    expect(cliWarningOf('   ')).toBeNull()
    expect(cliWarningOf('some progress text')).toBeNull()
  })
})
