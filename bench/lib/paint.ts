/** In-page watchers (plain JS strings for page.evaluate / addInitScript) that time the first paint of a text. */

/**
 * Resolves, in the page, with `{ t0, t1 }` (performance.now()): t0 = the next click anywhere (capture),
 * t1 = the animation frame after a transcript row containing `marker` is in the DOM and in view —
 * the frame that paints it.
 */
export function tailAfterClickWatcher(marker: string): string {
  return `new Promise((resolve) => {
    let t0 = null
    document.addEventListener('click', () => { if (t0 === null) t0 = performance.now() }, { capture: true })
    const found = () => {
      const view = document.querySelector('[aria-label="Transcript"]')
      if (!view) return false
      const box = view.getBoundingClientRect()
      for (const row of view.querySelectorAll('[data-seq]')) {
        if (!row.textContent.includes(${JSON.stringify(marker)})) continue
        const r = row.getBoundingClientRect()
        if (r.bottom > box.top && r.top < box.bottom) return true
      }
      return false
    }
    const tick = () => {
      if (t0 !== null && found()) requestAnimationFrame(() => resolve({ t0, t1: performance.now() }))
      else requestAnimationFrame(tick)
    }
    requestAnimationFrame(tick)
  })`
}

/**
 * Installed before the app loads: records (performance.now()) when the sidebar first lists
 * `projects` projects and when the open transcript first shows `marker` in view.
 */
export function startupWatcher(projects: number, marker: string): string {
  return `(() => {
    const out = window.__shepherdStartup = { projectsListedAt: null, tailPaintedAt: null }
    const tick = () => {
      if (out.projectsListedAt === null && document.querySelector('[aria-label="${projects} projects"]')) out.projectsListedAt = performance.now()
      if (out.tailPaintedAt === null) {
        const view = document.querySelector('[aria-label="Transcript"]')
        if (view) {
          const box = view.getBoundingClientRect()
          for (const row of view.querySelectorAll('[data-seq]')) {
            if (!row.textContent.includes(${JSON.stringify(marker)})) continue
            const r = row.getBoundingClientRect()
            if (r.bottom > box.top && r.top < box.bottom) { out.tailPaintedAt = performance.now(); break }
          }
        }
      }
      if (out.projectsListedAt === null || out.tailPaintedAt === null) requestAnimationFrame(tick)
    }
    requestAnimationFrame(tick)
  })()`
}
