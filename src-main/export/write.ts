/**
 * Streams an export into any Writable (a file, an HTTP response) with backpressure: chunks are written
 * as the pages of rows are read, and the writer waits for `drain`, so memory stays flat for 100k-message
 * sessions. `exportToFile` writes beside the target and renames at the end; when writing fails (a full
 * disk) the partial file is removed and the error says why.
 */
import { createWriteStream } from 'node:fs'
import { rename, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { Writable } from 'node:stream'
import { ShepherdError } from '../shared/errors'
import type { Store } from '../store/store'
import { htmlChunks } from './html'
import { jsonChunks } from './json'
import { markdownChunks } from './markdown'
import { snapshotMessages, takeSnapshot, type ExportFormat, type ExportSnapshot } from './snapshot'

export interface ExportResult {
  upToSeq: number
  messages: number
  bytes: number
  running: boolean
}

function chunksOf(format: ExportFormat, snap: ExportSnapshot, store: Store): Generator<string> {
  const rows = snapshotMessages(store, snap)
  return format === 'markdown' ? markdownChunks(snap, rows) : format === 'json' ? jsonChunks(snap, rows) : htmlChunks(snap, rows)
}

/** Writes the whole export to `out` and ends it. Rejects (and destroys `out`) when writing fails. */
export async function writeExport(store: Store, snap: ExportSnapshot, format: ExportFormat, out: Writable): Promise<ExportResult> {
  let bytes = 0
  let failed: Error | null = null
  const onError = (err: Error) => {
    failed ??= err
  }
  out.on('error', onError)
  try {
    for (const chunk of chunksOf(format, snap, store)) {
      if (failed) throw failed
      bytes += Buffer.byteLength(chunk)
      if (!out.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            out.off('drain', done)
            out.off('error', done)
            out.off('close', done)
            resolve()
          }
          out.on('drain', done)
          out.on('error', done)
          out.on('close', done)
        })
      }
    }
    if (failed) throw failed
    await new Promise<void>((resolve, reject) => {
      out.end((err?: Error | null) => (err ? reject(err) : failed ? reject(failed) : resolve()))
    })
    return { upToSeq: snap.upToSeq, messages: snap.messageCount, bytes, running: snap.running }
  } catch (err) {
    out.destroy()
    throw err
  } finally {
    out.off('error', onError)
    out.on('error', () => {}) // a destroyed stream may still report its error: it was handled above
  }
}

export interface ExportToFileOptions {
  /** Test seam: the stream to write the temporary file with (e.g. one that fails like a full disk). */
  createStream?: (path: string) => Writable
}

export async function exportToFile(
  store: Store,
  sessionId: string,
  format: ExportFormat,
  target: string,
  opts: ExportToFileOptions = {}
): Promise<ExportResult & { path: string }> {
  const snap = takeSnapshot(store, sessionId)
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now()}.partial`)
  const out = (opts.createStream ?? ((p: string) => createWriteStream(p, { flags: 'wx' })))(tmp)
  try {
    const r = await writeExport(store, snap, format, out)
    await rename(tmp, target)
    return { ...r, path: target }
  } catch (err) {
    await unlink(tmp).catch(() => {})
    const e = err as NodeJS.ErrnoException
    const why =
      e.code === 'ENOSPC'
        ? 'the disk is full'
        : e.code === 'EACCES' || e.code === 'EPERM'
          ? 'permission denied'
          : e.code === 'ENOENT'
            ? 'the folder does not exist'
            : e.message
    throw new ShepherdError(e.code === 'ENOSPC' || !e.code ? 'UNAVAILABLE' : 'BAD_REQUEST', `export failed: ${why}; nothing was saved at ${target}`)
  }
}
