import { describe, expect, it } from 'vitest'
import { ServerWarnings } from './server-warnings'

describe('ServerWarnings (one opencode serve, many sessions)', () => {
  it('keeps each warning once, replays them to a session that subscribes later, drops plain logging', () => {
    const w = new ServerWarnings()
    const first: string[] = []
    const stop = w.listen((x) => first.push(x))
    w.push(Buffer.from('INFO  service=server listening\nWARNING: sandbox hel'))
    w.push(Buffer.from('per missing\nWARNING: sandbox helper missing\n'))
    expect(first).toEqual(['sandbox helper missing'])
    const later: string[] = []
    w.listen((x) => later.push(x))
    expect(later).toEqual(['sandbox helper missing'])
    stop()
    w.push(Buffer.from('WARNING: disk is full\n'))
    expect(first).toEqual(['sandbox helper missing'])
    expect(later).toEqual(['sandbox helper missing', 'disk is full'])
  })
})
