/**
 * "Per day" for budgets and the usage ledger is the local calendar day of the computer Shepherd runs
 * on (the main process's time zone, `Intl.DateTimeFormat().resolvedOptions().timeZone`): a day starts
 * at local midnight. Clock changes and DST are handled by always deriving the day from the wall clock
 * of the event, never by adding 24 h.
 */
export function localDay(ms: number): string {
  const d = new Date(ms)
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
}

/** The first millisecond of the local day after the one holding `ms`. */
export function nextLocalMidnight(ms: number): number {
  const d = new Date(ms)
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime()
}

/** The local day `n` days before the day holding `ms` (n = 0: that day). */
export function dayMinus(ms: number, n: number): string {
  const d = new Date(ms)
  return localDay(new Date(d.getFullYear(), d.getMonth(), d.getDate() - n, 12).getTime())
}

export function timeZoneName(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'local time'
  } catch {
    return 'local time'
  }
}
