import { describe, expect, it } from 'vitest'
import { decodeQueue, encodeQueue } from '../store/queued-prompts'
import { PromptQueue } from './prompt-queue'

describe('PromptQueue', () => {
  it('keeps identical prompts as separate items and removes exactly the one asked for', () => {
    const q = new PromptQueue()
    const a = q.add('continue')
    const b = q.add('continue')
    expect(a.id).not.toBe(b.id)
    expect(q.remove(b.id)).toBe(true)
    expect(q.items).toEqual([a])
    expect(q.remove(b.id)).toBe(false)
    expect(q.shift()).toEqual(a)
    expect(q.length).toBe(0)
  })

  it('round-trips through the column, and reads rows written before items had ids', () => {
    const q = new PromptQueue()
    q.add('one')
    q.add('one')
    expect(decodeQueue(encodeQueue(q.items))).toEqual(q.items)
    const legacy = decodeQueue(JSON.stringify(['x', 'x']))
    expect(legacy.map((i) => i.text)).toEqual(['x', 'x'])
    expect(legacy[0]!.id).not.toBe(legacy[1]!.id)
    expect(decodeQueue('not json')).toEqual([])
    expect(decodeQueue(null)).toEqual([])
  })
})
