/**
 * Where the toast stack may sit (issue 12: no toast ever covers an approval card or a composer).
 * The stack keeps its bottom-right column, but ends above every element marked `data-toast-avoid`
 * that shares that column; with too little room left it is hidden until there is room again (the
 * toasts stay in the list and the live region). Pure geometry, unit-tested.
 */
export interface Rect {
  left: number
  right: number
  top: number
  bottom: number
}

export const MARGIN = 16
export const GAP = 8
/** Less room than one toast line: hide rather than cover. */
export const MIN_ROOM = 56

export function placeToasts(
  viewport: { width: number; height: number },
  areaWidth: number,
  avoid: readonly Rect[]
): { bottom: number; maxHeight: number; hidden: boolean } {
  const right = viewport.width - MARGIN
  const left = right - areaWidth
  let limit = viewport.height - MARGIN
  for (const r of avoid) {
    if (r.right - r.left <= 0 || r.bottom - r.top <= 0) continue // not rendered
    if (r.right <= left || r.left >= right) continue // another column
    if (r.bottom <= 0 || r.top >= viewport.height) continue // scrolled away
    limit = Math.min(limit, r.top - GAP)
  }
  const maxHeight = Math.max(0, limit - MARGIN)
  return { bottom: viewport.height - limit, maxHeight, hidden: maxHeight < MIN_ROOM }
}
