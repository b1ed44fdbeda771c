import { describe, expect, it } from 'vitest'
import { SseParser, errorText } from './client'
import { ascendingId } from './ids'

const enc = new TextEncoder()

function collect(maxBytes?: number) {
  const out: string[] = []
  const dropped: number[] = []
  const p = new SseParser(
    (d) => out.push(d),
    (b) => dropped.push(b),
    maxBytes
  )
  return { p, out, dropped }
}

describe('SseParser', () => {
  it('frames events split across chunks, CRLF, multi-line data, comments and other fields', () => {
    const { p, out } = collect()
    const text = 'data: {"a":1}\n\n: keep-alive\n\nevent: x\r\nid: 3\r\ndata: line1\r\ndata:line2\r\n\r\ndata: {"b":"é"}\n\n'
    const bytes = enc.encode(text)
    // Byte by byte, including inside the multi-byte "é".
    for (let i = 0; i < bytes.length; i++) p.push(bytes.subarray(i, i + 1))
    expect(out).toEqual(['{"a":1}', 'line1\nline2', '{"b":"é"}'])
  })

  it('delivers a last event without a trailing blank line at end of stream', () => {
    const { p, out } = collect()
    p.push(enc.encode('data: tail'))
    p.end()
    expect(out).toEqual(['tail'])
  })

  it('drops an oversized event (also one long line arriving in pieces) and goes on', () => {
    const { p, out, dropped } = collect(64)
    p.push(enc.encode('data: ' + 'x'.repeat(50)))
    p.push(enc.encode('y'.repeat(50)))
    p.push(enc.encode('z'.repeat(10) + '\n\ndata: ok\n\n'))
    expect(dropped.length).toBeGreaterThan(0)
    expect(out).toEqual(['ok'])
  })
})

describe('OpenCode helpers', () => {
  it('ascending ids: OpenCode format, strictly increasing even within one millisecond', () => {
    const ids = Array.from({ length: 50 }, () => ascendingId('msg', 1_795_425_108_956))
    for (const id of ids) expect(id).toMatch(/^msg_[0-9a-f]{12}[0-9A-Za-z]{14}$/)
    expect([...ids].sort()).toEqual(ids)
    // Same time part as OpenCode's own ids of that moment (msg_207ad03dc001… was created at 1795425108956 + counter).
    expect(ascendingId('msg', 1_795_425_108_957).slice(0, 13)).toBe('msg_207ad03dd')
  })

  it('error text from both of OpenCode’s error shapes', () => {
    expect(errorText({ name: 'NotFoundError', data: { message: 'Session not found: ses_x' } })).toBe('NotFoundError: Session not found: ses_x')
    expect(errorText({ _tag: 'PermissionNotFoundError', message: 'Permission request not found' })).toBe(
      'PermissionNotFoundError: Permission request not found'
    )
    expect(errorText('')).toBe('no details')
  })
})
