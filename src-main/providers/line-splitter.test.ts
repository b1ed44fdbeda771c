import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { LineSplitter, MAX_LINE_BYTES } from './line-splitter'

function collect(maxLineBytes?: number) {
  const lines: string[] = []
  const tooLarge: { bytes: number; head: string }[] = []
  const splitter = new LineSplitter({ onLine: (l) => lines.push(l), onLineTooLarge: (bytes, head) => tooLarge.push({ bytes, head }), maxLineBytes })
  return { lines, tooLarge, splitter }
}

function run(chunks: (Buffer | string)[], maxLineBytes?: number) {
  const c = collect(maxLineBytes)
  for (const chunk of chunks) c.splitter.push(chunk)
  c.splitter.end()
  return c
}

describe('LineSplitter', () => {
  it('FR-1: a fixture split at every byte offset yields the same lines', () => {
    const fixture = readFileSync(fileURLToPath(new URL('claude/fixtures/oneshot-bash-echo.jsonl', import.meta.url)))
    const expected = run([fixture]).lines
    expect(expected).toHaveLength(6)
    expect(expected.map((l) => JSON.parse(l).type)).toEqual(['system', 'assistant', 'assistant', 'user', 'assistant', 'result'])
    for (let i = 0; i <= fixture.length; i++) {
      const { lines } = run([fixture.subarray(0, i), fixture.subarray(i)])
      if (lines.join('\n') !== expected.join('\n')) throw new Error(`split at ${i} differs`)
    }
  })

  it('FR-1: three-way splits around multi-byte characters', () => {
    const text = '{"a":"héllo 🐑 世界"}\r\n{"b":"ü"}\n'
    const bytes = Buffer.from(text)
    for (let i = 0; i < bytes.length; i++) {
      for (let j = i; j < bytes.length; j++) {
        const { lines } = run([bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)])
        expect(lines).toEqual(['{"a":"héllo 🐑 世界"}', '{"b":"ü"}'])
      }
    }
  })

  it('FR-2: many lines in one chunk, CRLF, blank lines, no final newline', () => {
    const { lines } = run(['one\r\ntwo\n\n   \r\n\r\nthree\nfour'])
    expect(lines).toEqual(['one', 'two', 'three', 'four'])
  })

  it('FR-2: a CR at the end of one chunk and LF at the start of the next', () => {
    expect(run(['abc\r', '\ndef\r', '\n']).lines).toEqual(['abc', 'def'])
  })

  it('keeps a lone CR inside a line', () => {
    expect(run(['a\rb\n']).lines).toEqual(['a\rb'])
  })

  it('FR-6: 1-byte chunks of emoji and CJK arrive without U+FFFD', () => {
    const text = '{"t":"🐑🦙 羊驼 ñandú — 𝄞"}\n{"t":"日本語テキスト"}\n'
    const bytes = Buffer.from(text)
    const chunks = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1))
    const { lines } = run(chunks)
    expect(lines).toEqual(['{"t":"🐑🦙 羊驼 ñandú — 𝄞"}', '{"t":"日本語テキスト"}'])
    expect(lines.join('')).not.toContain('\uFFFD')
  })

  it('FR-4: a 10 MB line in 64 KiB chunks is parsed', () => {
    const payload = 'x'.repeat(10 * 1024 * 1024)
    const bytes = Buffer.from(`{"big":"${payload}"}\n{"after":1}\n`)
    const chunks: Buffer[] = []
    for (let i = 0; i < bytes.length; i += 65536) chunks.push(bytes.subarray(i, i + 65536))
    const { lines, tooLarge } = run(chunks)
    expect(tooLarge).toEqual([])
    expect(lines).toHaveLength(2)
    expect((JSON.parse(lines[0] as string) as { big: string }).big.length).toBe(payload.length)
    expect(lines[1]).toBe('{"after":1}')
  })

  it('FR-5: a 40 MB line is dropped with line_too_large, later lines still parse', () => {
    const c = collect()
    c.splitter.push('{"before":1}\n')
    const chunk = Buffer.alloc(1024 * 1024, 'y')
    chunk.write('{"huge":"')
    for (let i = 0; i < 40; i++) c.splitter.push(chunk)
    c.splitter.push('"}\n{"after":2}\n')
    c.splitter.end()
    expect(c.lines).toEqual(['{"before":1}', '{"after":2}'])
    expect(c.tooLarge).toHaveLength(1)
    expect(c.tooLarge[0]?.bytes).toBe(40 * 1024 * 1024 + 2)
    expect(c.tooLarge[0]?.head.startsWith('{"huge":"yyy')).toBe(true)
    expect(c.tooLarge[0]?.head.length).toBe(1024)
  })

  it('FR-5: a 40 MB line without any newline is reported at end of stream', () => {
    const c = collect()
    const chunk = Buffer.alloc(4 * 1024 * 1024, 'z')
    for (let i = 0; i < 10; i++) c.splitter.push(chunk)
    c.splitter.end()
    expect(c.lines).toEqual([])
    expect(c.tooLarge.map((t) => t.bytes)).toEqual([40 * 1024 * 1024])
  })

  it('honours a smaller cap from the caller, exactly at the boundary', () => {
    const { lines, tooLarge } = run(['12345\n123456\n', '1234', '567\nok\n'], 6)
    expect(lines).toEqual(['12345', '123456', 'ok'])
    expect(tooLarge.map((t) => t.bytes)).toEqual([7])
  })

  it('clamps caps above 32 MiB', () => {
    const c = collect(MAX_LINE_BYTES * 4)
    c.splitter.push(Buffer.alloc(MAX_LINE_BYTES + 1, 'a'))
    c.splitter.end()
    expect(c.tooLarge.map((t) => t.bytes)).toEqual([MAX_LINE_BYTES + 1])
  })

  it('copies pieces, so a reused chunk buffer does not corrupt a pending line', () => {
    const c = collect()
    const buf = Buffer.from('abc')
    c.splitter.push(buf)
    buf.write('XYZ')
    c.splitter.push('\n')
    expect(c.lines).toEqual(['abc'])
  })

  it('ignores input after end()', () => {
    const c = collect()
    c.splitter.push('a')
    c.splitter.end()
    c.splitter.push('b\n')
    c.splitter.end()
    expect(c.lines).toEqual(['a'])
  })
})
