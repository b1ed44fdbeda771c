/**
 * Builds the search index for messages stored before migration 0002, in the background: small
 * chunks, each its own transaction, with the event loop free in between, so the window, the API
 * and live agents go on while a 1M-message database is indexed (bench: "search" part reports the
 * time). Progress is `SearchIndex.status()` (the search view polls `search.status`).
 */
import type { SearchIndex } from './search-index'

/** Rows per chunk: ~10–30 ms of tokenizing on this machine's messages (~0.9 KB of text each). */
export const BACKFILL_CHUNK = 500
/** Pause between chunks, so timers, IPC and the writer's commits get the thread. */
export const BACKFILL_PAUSE_MS = 2

export interface BackfillHandle {
  stop(): void
  done: Promise<void>
}

export function startBackfill(index: SearchIndex, log: (m: string) => void, chunk = BACKFILL_CHUNK, pauseMs = BACKFILL_PAUSE_MS): BackfillHandle {
  let stopped = false
  let timer: ReturnType<typeof setTimeout> | null = null
  let resolve!: () => void
  const done = new Promise<void>((r) => {
    resolve = r
  })
  if (!index.status().building) {
    resolve()
    return { stop() {}, done }
  }
  const t0 = Date.now()
  log(`building the search index for ${index.status().total} existing messages in the background`)
  const step = () => {
    timer = null
    if (stopped) return resolve()
    let finished: boolean
    try {
      finished = index.backfillStep(chunk)
    } catch (err) {
      // A full disk or a busy lock: try again later; the index stays consistent (one transaction per chunk).
      log(`search index build paused: ${String(err)}`)
      timer = setTimeout(step, 1000)
      return
    }
    if (finished) {
      log(`search index built in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
      return resolve()
    }
    timer = setTimeout(step, pauseMs)
  }
  timer = setTimeout(step, pauseMs)
  return {
    stop() {
      stopped = true
      if (timer) {
        clearTimeout(timer)
        timer = null
      }
      resolve()
    },
    done
  }
}
