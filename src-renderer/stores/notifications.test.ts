/**
 * Notices through the Notifications store: a burst of one kind becomes one toast ("3 sessions
 * finished") whose action opens the inbox; an answered approval takes its toast back (withdraw);
 * showNow (budget alerts) is not grouped.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Notice } from './api'

vi.mock('../lib/api/client', () => ({ api: { app: { notify: { mutate: async () => ({ delivered: true }) } } } }))

const { Notifications } = await import('./notifications.svelte')
const { GROUP_WINDOW_MS } = await import('../toasts/notice-groups')
const { toasts } = await import('../toasts/toasts.svelte')

const notice = (i: number, kind: Notice['kind'] = 'completed'): Notice => ({
  kind,
  key: `s${i}:${kind}`,
  title: `P: done ${i}`,
  body: `session ${i}`,
  projectId: 'p',
  sessionId: `s${i}`
})

describe('Notifications', () => {
  let showInbox: ReturnType<typeof vi.fn<() => void>>
  let n: InstanceType<typeof Notifications>
  beforeEach(() => {
    vi.useFakeTimers()
    for (const t of toasts.items) toasts.dismiss(t.id)
    showInbox = vi.fn<() => void>()
    n = new Notifications({ ui: { get: () => false, set: () => {} } as never, focus: () => {}, hostNotifies: () => true, showInbox })
  })
  afterEach(() => {
    n.dispose()
    vi.useRealTimers()
  })

  it('a burst of finished sessions is one toast whose action opens the inbox; withdrawing any of them takes it back', () => {
    for (let i = 0; i < 3; i++) n.show(notice(i))
    expect(toasts.items).toHaveLength(0)
    vi.advanceTimersByTime(GROUP_WINDOW_MS + 50)
    expect(toasts.items.map((t) => t.title)).toEqual(['3 sessions finished'])
    toasts.items[0]!.action!.run()
    expect(showInbox).toHaveBeenCalledTimes(1)
    n.withdraw('s1:completed')
    expect(toasts.items).toHaveLength(0)
  })

  it('a lone approval is shown as itself and withdrawn when answered; showNow is not grouped', () => {
    n.show(notice(7, 'approval'))
    vi.advanceTimersByTime(GROUP_WINDOW_MS + 50)
    expect(toasts.items.map((t) => t.title)).toEqual(['P: done 7'])
    n.withdraw('s7:approval')
    expect(toasts.items).toHaveLength(0)
    n.showNow(notice(8, 'error'))
    expect(toasts.items.map((t) => t.title)).toEqual(['P: done 8'])
  })
})
