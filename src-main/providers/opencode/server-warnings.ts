/**
 * The stderr warnings of one `opencode serve` (issue 11 #12): the server is shared by the sessions of
 * a project folder, so each warning is kept and told to every session that subscribes, each once.
 */
import { LineSplitter } from '../line-splitter'
import { cliWarningOf } from '../stderr-warnings'

export class ServerWarnings {
  readonly #seen = new Set<string>()
  readonly #listeners = new Set<(warning: string) => void>()
  readonly #lines = new LineSplitter({ onLine: (line) => this.#line(line), onLineTooLarge: () => {} })

  push(chunk: Buffer): void {
    this.#lines.push(chunk)
  }

  /** Every warning so far, then each new one; returns the unsubscribe function. */
  listen(listener: (warning: string) => void): () => void {
    for (const w of this.#seen) listener(w)
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  #line(line: string): void {
    const warning = cliWarningOf(line)
    if (!warning || this.#seen.has(warning)) return
    this.#seen.add(warning)
    for (const listener of this.#listeners) listener(warning)
  }
}
