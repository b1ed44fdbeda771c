import { describe, expect, it, vi } from 'vitest'
import { HandleEvents } from './handle-events'
import type { ProviderEvent } from './types'

const raw = (data: string): ProviderEvent => ({ kind: 'raw', stream: 'stdout', data })

describe('HandleEvents', () => {
  it('replays events emitted before the first listener, then delivers live', () => {
    const h = new HandleEvents('test')
    h.emit(raw('a'))
    const seen: string[] = []
    h.onEvent((e) => seen.push((e as { data: string }).data))
    h.emit(raw('b'))
    expect(seen).toEqual(['a', 'b'])
  })

  it('a throwing listener does not stop the others', () => {
    const h = new HandleEvents('test')
    const err = vi.spyOn(console, 'error').mockImplementation(() => {})
    const seen: string[] = []
    h.onEvent(() => {
      throw new Error('boom')
    })
    h.onEvent((e) => seen.push((e as { data: string }).data))
    h.emit(raw('x'))
    expect(seen).toEqual(['x'])
    err.mockRestore()
  })

  it('reports the exit once; a late listener gets it on a microtask', async () => {
    const h = new HandleEvents('test')
    const early = vi.fn()
    h.onExit(early)
    const exit = { code: 0, signal: null, stderrTail: '' }
    h.exited(exit)
    expect(early).toHaveBeenCalledExactlyOnceWith(exit)
    expect(h.exit).toBe(exit)
    const late = vi.fn()
    h.onExit(late)
    expect(late).not.toHaveBeenCalled()
    await Promise.resolve()
    expect(late).toHaveBeenCalledExactlyOnceWith(exit)
  })
})
