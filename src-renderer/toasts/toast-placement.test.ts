import { describe, expect, it } from 'vitest'
import { GAP, MARGIN, placeToasts } from './toast-placement'

const vp = { width: 1280, height: 800 }
const rect = (left: number, top: number, right: number, bottom: number) => ({ left, top, right, bottom })

describe('placeToasts', () => {
  it('bottom-right when nothing is in the way', () => {
    expect(placeToasts(vp, 380, [])).toEqual({ bottom: MARGIN, maxHeight: 800 - 2 * MARGIN, hidden: false })
  })

  it('ends above a composer and an approval card in its column', () => {
    const composer = rect(900, 700, 1280, 800)
    const card = rect(900, 420, 1280, 690)
    const p = placeToasts(vp, 380, [composer, card])
    expect(p.bottom).toBe(800 - (420 - GAP))
    // The stack's box never meets either rectangle.
    const stackBottom = 800 - p.bottom
    expect(stackBottom).toBeLessThanOrEqual(card.top)
    expect(stackBottom - p.maxHeight).toBeGreaterThanOrEqual(MARGIN)
  })

  it('ignores other columns, hidden and scrolled-away elements', () => {
    expect(placeToasts(vp, 380, [rect(0, 700, 800, 800), rect(900, 700, 900, 800), rect(900, 900, 1280, 1000)]).bottom).toBe(MARGIN)
  })

  it('hides itself when an approval card fills the column (never covers it)', () => {
    expect(placeToasts(vp, 380, [rect(900, 40, 1280, 800)]).hidden).toBe(true)
  })
})
