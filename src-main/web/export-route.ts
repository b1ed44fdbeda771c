/**
 * `GET /export/<session id>?format=markdown|json|html` on the web host: the browser's download of a
 * session export (the Electron host saves through a dialog instead). Admitted by a one-time ticket
 * (download-tickets.ts), never by the access token; the body is streamed from a seq snapshot with backpressure, so a 100k-message session never
 * sits in memory. A failure after the headers went out aborts the response, so the browser marks the
 * download failed rather than keeping a cut file that looks whole.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Store } from '../store/store'
import { EXPORT_FORMATS, EXPORT_MIME, exportFileName, takeSnapshot, type ExportFormat } from '../export/snapshot'
import { writeExport } from '../export/write'
import { ShepherdError } from '../shared/errors'

const ROUTE = /^\/export\/([A-Za-z0-9_-]{1,100})$/

/** Whether the request is for an export (the host checks its download ticket first). */
export function isExportPath(url: URL): boolean {
  return ROUTE.test(url.pathname)
}

/** Handles the request when it is an export; returns false for any other path. */
export function handleExportRequest(store: Store, url: URL, req: IncomingMessage, res: ServerResponse): boolean {
  const m = ROUTE.exec(url.pathname)
  if (!m) return false
  const format = (url.searchParams.get('format') ?? 'markdown') as ExportFormat
  if (!EXPORT_FORMATS.includes(format)) {
    res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`format must be one of ${EXPORT_FORMATS.join(', ')}`)
    return true
  }
  let snap
  try {
    snap = takeSnapshot(store, m[1]!)
  } catch (err) {
    const notFound = err instanceof ShepherdError && err.code === 'NOT_FOUND'
    res.writeHead(notFound ? 404 : 500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(err instanceof Error ? err.message : String(err))
    return true
  }
  const name = exportFileName(snap, format)
  res.writeHead(200, {
    'Content-Type': EXPORT_MIME[format],
    'Content-Disposition': `attachment; filename="${name.replace(/[^\x20-\x7e]|"/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
    'X-Shepherd-Snapshot-Seq': String(snap.upToSeq)
  })
  if (req.method === 'HEAD') {
    res.end()
    return true
  }
  writeExport(store, snap, format, res).catch(() => res.destroy())
  return true
}
