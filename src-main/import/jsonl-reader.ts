/**
 * Streams the complete lines of a JSONL file from a byte offset, in chunks, so a 2 GB transcript is
 * read with flat memory. Only lines ending in "\n" are returned: a last line without one may still
 * be being written by the CLI (it is read on the next import, from the offset we stop at). A line
 * longer than `maxLineBytes` is skipped up to its end and reported, never held whole.
 * Opens the file read-only: the CLIs' files are never modified.
 */
import { open } from 'node:fs/promises'
import { StringDecoder } from 'node:string_decoder'

export interface JsonlLine {
  text: string
  /** byte offset just past this line's "\n" */ end: number
  lineNo: number
}
export interface JsonlSkip {
  reason: 'too_long'
  start: number
  end: number
  lineNo: number
  bytes: number
}

export interface ReadJsonlOptions {
  from?: number
  /** Lines counted before `from` (for line numbers in reports). */
  lineNo?: number
  chunkBytes?: number
  maxLineBytes?: number
  signal?: AbortSignal
  /** Called with bytes read so far (absolute offset) after each chunk. */
  onProgress?: (offset: number, size: number) => void
}

export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024

/** Yields complete lines (or skips) from `from`; stops at the last "\n" present when reading reached the end. */
export async function* readJsonlLines(file: string, opts: ReadJsonlOptions = {}): AsyncGenerator<JsonlLine | JsonlSkip> {
  const chunkBytes = opts.chunkBytes ?? 1024 * 1024
  const maxLine = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES
  const fh = await open(file, 'r')
  try {
    const size = (await fh.stat()).size
    let pos = opts.from ?? 0
    let lineNo = opts.lineNo ?? 0
    let lineStart = pos
    let parts: Buffer[] = []
    let partBytes = 0
    let skipping = false
    const buf = Buffer.allocUnsafe(chunkBytes)
    while (true) {
      if (opts.signal?.aborted) throw new ImportCancelled()
      const { bytesRead } = await fh.read(buf, 0, chunkBytes, pos)
      if (bytesRead === 0) break
      let from = 0
      while (from < bytesRead) {
        // The buffer is reused: a "\n" past bytesRead is stale data from an earlier read.
        const found = buf.indexOf(10, from)
        const nl = found !== -1 && found < bytesRead ? found : -1
        const stop = nl === -1 ? bytesRead : nl
        if (!skipping) {
          const piece = buf.subarray(from, stop)
          if (partBytes + piece.length > maxLine) {
            skipping = true
            parts = []
          } else {
            parts.push(Buffer.from(piece))
          }
          partBytes += piece.length
        } else {
          partBytes += stop - from
        }
        if (nl === -1) break // the line goes on in the next chunk (or is not finished yet)
        // A complete line.
        const end = pos + nl + 1
        lineNo++
        if (skipping) yield { reason: 'too_long', start: lineStart, end, lineNo, bytes: partBytes }
        else {
          const text = new StringDecoder('utf8').end(parts.length === 1 ? parts[0]! : Buffer.concat(parts))
          yield { text, end, lineNo }
        }
        parts = []
        partBytes = 0
        skipping = false
        lineStart = end
        from = nl + 1
      }
      pos += bytesRead
      opts.onProgress?.(Math.min(pos, lineStart), Math.max(size, pos))
    }
  } finally {
    await fh.close()
  }
}

export class ImportCancelled extends Error {
  constructor() {
    super('import cancelled')
  }
}
