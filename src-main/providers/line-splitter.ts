/**
 * Frames a child's stdout into lines (docs/fault-catalogue.md FR-1..FR-6). Not `readline`: we need a hard
 * per-line cap, exact byte accounting and no quadratic string growth on huge lines.
 *
 * Splitting happens on the 0x0A byte, which never occurs inside a multi-byte UTF-8 sequence; each
 * complete line is then decoded once, as a whole, so characters split across chunks arrive intact.
 * Pieces of a line are kept in an array and joined once, at the newline; a line that lies wholly
 * inside one chunk (the common case) is decoded from the chunk without a copy.
 */
import { StringDecoder } from 'node:string_decoder'

/**
 * Hard cap per line. 32 MiB holds any realistic single event (a tool result with a big file is
 * ~10 MB) while bounding what one runaway line can cost us in memory.
 */
export const MAX_LINE_BYTES = 32 * 1024 * 1024

/** Bytes of a dropped line kept for the `line_too_large` report (enough to recognise the event). */
const TOO_LARGE_HEAD_BYTES = 1024

export interface LineSplitterOptions {
  /** Called once per non-blank line, without its `\n` / `\r\n`. */
  onLine: (line: string) => void
  /** Called when a line exceeded the cap; `bytes` is its full size, `head` its first ≤ 1 KiB. */
  onLineTooLarge?: (bytes: number, head: string) => void
  /** Per-line cap in bytes; defaults to (and is clamped to) MAX_LINE_BYTES. */
  maxLineBytes?: number
}

const NL = 0x0a
const CR = 0x0d

export class LineSplitter {
  private readonly cap: number
  private parts: Buffer[] = []
  private size = 0
  /** Over the cap: bytes are counted, not kept, until the next newline. */
  private discarding = false
  private head: Buffer | null = null
  private ended = false

  constructor(private readonly opts: LineSplitterOptions) {
    const cap = opts.maxLineBytes ?? MAX_LINE_BYTES
    this.cap = Math.max(1, Math.min(cap, MAX_LINE_BYTES))
  }

  /** Feed one chunk (strings are treated as UTF-8). */
  push(chunk: Buffer | string): void {
    if (this.ended) return
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk
    let start = 0
    while (start < buf.length) {
      const nl = buf.indexOf(NL, start)
      if (nl === -1) {
        this.append(buf.subarray(start))
        return
      }
      if (this.size === 0 && !this.discarding && nl - start <= this.cap) {
        // Fast path (bench part 1: most lines lie wholly inside one chunk): decode straight from the
        // chunk. Decoding is synchronous, so the chunk cannot be reused under us: no copy needed.
        this.emitLine(buf, start, nl)
      } else {
        this.append(buf.subarray(start, nl))
        this.finishLine()
      }
      start = nl + 1
    }
  }

  /** End of stream: the last line is emitted even without a final newline. */
  end(): void {
    if (this.ended) return
    if (this.size > 0 || this.discarding) this.finishLine()
    this.ended = true
  }

  private append(piece: Buffer): void {
    if (piece.length === 0) return
    const next = this.size + piece.length
    if (this.discarding) {
      this.size = next
      return
    }
    if (next > this.cap) {
      // Keep only a short head for the report and free everything else now.
      this.head = takeHead([...this.parts, piece], TOO_LARGE_HEAD_BYTES)
      this.parts = []
      this.discarding = true
      this.size = next
      return
    }
    // Copy: the caller's chunk may be a view into a pooled buffer that gets reused.
    this.parts.push(Buffer.from(piece))
    this.size = next
  }

  private finishLine(): void {
    if (this.discarding) {
      const bytes = this.size
      const head = new StringDecoder('utf8').end(this.head ?? Buffer.alloc(0))
      this.reset()
      this.opts.onLineTooLarge?.(bytes, head)
      return
    }
    if (this.size === 0) return
    const buf = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, this.size)
    this.reset()
    this.emitLine(buf, 0, buf.length)
  }

  /** Emit bytes [start, end) of `buf` as one line (a trailing CR dropped, blank lines skipped). */
  private emitLine(buf: Buffer, start: number, end: number): void {
    if (end > start && buf[end - 1] === CR) end--
    // A complete line never ends inside a UTF-8 sequence (we split at 0x0A), so a one-shot decode is
    // exact; invalid bytes become U+FFFD exactly as with a StringDecoder.
    const line = buf.toString('utf8', start, end)
    if (line.trim().length === 0) return
    this.opts.onLine(line)
  }

  private reset(): void {
    this.parts = []
    this.size = 0
    this.discarding = false
    this.head = null
  }
}

function takeHead(parts: Buffer[], max: number): Buffer {
  const out: Buffer[] = []
  let n = 0
  for (const p of parts) {
    if (n >= max) break
    const take = p.subarray(0, max - n)
    out.push(take)
    n += take.length
  }
  return Buffer.concat(out, n)
}
