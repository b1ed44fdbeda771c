/**
 * Two-key "go to" shortcuts (`g` then a letter within a second), as in mail and issue trackers:
 * `g i` inbox, `g u` usage. Ignored while typing in a field.
 */
const WINDOW_MS = 1000

export function goKeys(targets: Record<string, () => void>): (e: KeyboardEvent) => boolean {
  let armedAt = 0
  return (e: KeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return false
    const t = e.target as HTMLElement | null
    if (t?.closest?.('input, textarea, select, [contenteditable="true"], [contenteditable=""]')) return false
    const key = e.key.toLowerCase()
    if (armedAt && e.timeStamp - armedAt <= WINDOW_MS && targets[key]) {
      armedAt = 0
      e.preventDefault()
      targets[key]!()
      return true
    }
    armedAt = key === 'g' && !e.shiftKey ? e.timeStamp : 0
    return false
  }
}
