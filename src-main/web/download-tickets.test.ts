import { describe, expect, it } from 'vitest'
import { DownloadTickets } from './download-tickets'

describe('DownloadTickets', () => {
  it('a ticket opens its own path once, within its minute', () => {
    const t = new DownloadTickets()
    const a = t.issue('/export/s1?format=json', 0)
    expect(t.redeem(a, '/export/s1?format=html', 1)).toBe(false) // another path uses it up too
    const b = t.issue('/export/s1?format=json', 0)
    expect(t.redeem(b, '/export/s1?format=json', 59_999)).toBe(true)
    expect(t.redeem(b, '/export/s1?format=json', 59_999)).toBe(false)
    const c = t.issue('/export/s1?format=json', 0)
    expect(t.redeem(c, '/export/s1?format=json', 60_000)).toBe(false)
    expect(t.redeem(null, '/export/s1?format=json')).toBe(false)
    expect(t.redeem('made-up', '/export/s1?format=json')).toBe(false)
  })

  it('keeps at most 100 outstanding tickets (oldest dropped)', () => {
    const t = new DownloadTickets()
    const first = t.issue('/p', 0)
    for (let i = 0; i < 100; i++) t.issue('/p', 0)
    expect(t.redeem(first, '/p', 1)).toBe(false)
  })
})
