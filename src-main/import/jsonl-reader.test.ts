import { afterEach, describe, expect, it } from 'vitest'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from '../../test/support/temp'
import { ImportCancelled, readJsonlLines, type JsonlLine, type JsonlSkip } from './jsonl-reader'

const cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})

async function all(file: string, opts: Parameters<typeof readJsonlLines>[1] = {}) {
  const out: (JsonlLine | JsonlSkip)[] = []
  for await (const x of readJsonlLines(file, opts)) out.push(x)
  return out
}

function file(content: string | Buffer) {
  const t = tempDir('shepherd-jsonl-')
  cleanups.push(t.cleanup)
  const f = join(t.dir, 'x.jsonl')
  writeFileSync(f, content)
  return f
}

describe('readJsonlLines', () => {
  it('splits complete lines across tiny chunks, multi-byte characters intact, and stops before an unfinished last line', async () => {
    const lines = ['{"a":"héllo 世界 🐑"}', '', '{"b":2}\r']
    const f = file(lines.join('\n') + '\n{"c":')
    const got = await all(f, { chunkBytes: 3 })
    expect(got.map((x) => ('text' in x ? x.text : null))).toEqual(lines)
    expect(got.map((x) => x.lineNo)).toEqual([1, 2, 3])
    const end = (got.at(-1) as JsonlLine).end
    expect(end).toBe(Buffer.byteLength(lines.join('\n') + '\n'))
    // Resuming from there reads nothing until the line is finished.
    expect(await all(f, { from: end, lineNo: 3 })).toEqual([])
    writeFileSync(f, lines.join('\n') + '\n{"c":3}\n')
    expect(await all(f, { from: end, lineNo: 3 })).toEqual([{ text: '{"c":3}', end: end + 8, lineNo: 4 }])
  })

  it('skips a line over the limit without holding it, and goes on after it', async () => {
    const f = file(`{"a":1}\n${'x'.repeat(10_000)}\n{"b":2}\n`)
    const got = await all(f, { chunkBytes: 512, maxLineBytes: 1000 })
    expect(got).toEqual([
      { text: '{"a":1}', end: 8, lineNo: 1 },
      { reason: 'too_long', start: 8, end: 10_009, lineNo: 2, bytes: 10_000 },
      { text: '{"b":2}', end: 10_017, lineNo: 3 }
    ])
  })

  it('stops with ImportCancelled when the signal is aborted', async () => {
    const f = file('{"a":1}\n'.repeat(10_000))
    const ac = new AbortController()
    let n = 0
    await expect(
      (async () => {
        for await (const _ of readJsonlLines(f, { chunkBytes: 64, signal: ac.signal })) if (++n === 5) ac.abort()
      })()
    ).rejects.toBeInstanceOf(ImportCancelled)
    expect(n).toBeLessThan(20)
  })
})
