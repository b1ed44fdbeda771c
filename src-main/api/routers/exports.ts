import { z } from 'zod'
import { ShepherdError } from '../../shared/errors'
import { EXPORT_FORMATS, exportFileName, takeSnapshot } from '../../export/snapshot'
import { exportToFile } from '../../export/write'
import { messageMarkdown } from '../../export/markdown'
import { procedure, router } from '../trpc'
import { idSchema, pathSchema, seqSchema } from '../schemas'

const absolute = pathSchema.refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p), 'must be an absolute path')

export const exportsRouter = router({
  /**
   * Writes an export to a file: `path` when given, else where the user picks in the host's save
   * dialog (Electron). The web host has no dialog: the browser downloads `/export/<id>?format=…`.
   */
  toFile: procedure
    .input(z.object({ sessionId: idSchema, format: z.enum(EXPORT_FORMATS), path: absolute.optional() }).strict())
    .mutation(async ({ ctx, input }) => {
      let path = input.path ?? null
      if (!path) {
        if (!ctx.host.pickSavePath)
          throw new ShepherdError('UNSUPPORTED', 'this host has no save dialog: download the export instead (exports.downloadUrl) or pass a path')
        const snap = takeSnapshot(ctx.store, input.sessionId)
        path = await ctx.host.pickSavePath(exportFileName(snap, input.format), input.format)
        if (!path) return { saved: false as const, path: null }
      }
      const r = await exportToFile(ctx.store, input.sessionId, input.format, path)
      return { saved: true as const, ...r }
    }),
  /**
   * The web host's download address for an export: `/export/<id>?format=…` with a one-time ticket
   * (the access token never goes into an HTTP request). The Electron host saves with toFile instead.
   */
  downloadUrl: procedure.input(z.object({ sessionId: idSchema, format: z.enum(EXPORT_FORMATS) }).strict()).mutation(({ ctx, input }) => {
    if (!ctx.webAccess) throw new ShepherdError('UNSUPPORTED', 'only the web host serves downloads: use exports.toFile')
    if (!ctx.store.getSession(input.sessionId)) throw new ShepherdError('NOT_FOUND', `no session with id ${input.sessionId}`)
    const path = `/export/${encodeURIComponent(input.sessionId)}?format=${input.format}`
    return { url: `${path}&ticket=${ctx.webAccess.downloadTicket(path)}` }
  }),
  /** One message as Markdown ("Copy as Markdown" on a row). */
  messageMarkdown: procedure.input(z.object({ sessionId: idSchema, seq: seqSchema }).strict()).query(({ ctx, input }) => {
    const row = ctx.store.getMessage(input.sessionId, input.seq)
    if (!row) throw new ShepherdError('NOT_FOUND', `no message ${input.seq} in session ${input.sessionId}`)
    return { markdown: messageMarkdown(row) }
  })
})
