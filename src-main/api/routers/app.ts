import { z } from 'zod'
import { procedure, router } from '../trpc'
import { idSchema } from '../schemas'
import { ShepherdError } from '../../shared/errors'

export const appInfoRouter = router({
  info: procedure.query(({ ctx }) => ({ ...ctx.info, canPickFolder: Boolean(ctx.host.pickFolder), canNotify: Boolean(ctx.host.notify) })),
  /** Live health (pushed as `app.storage` when it changes): why database writes fail, or null. */
  /**
   * Web host only: replace the access token (stored in the data dir). Every other tab is closed with
   * "token changed" and must open the returned address; the calling page keeps its connection.
   */
  rotateAccessToken: procedure.input(z.object({}).strict().optional()).mutation(({ ctx }) => {
    if (!ctx.webAccess) throw new ShepherdError('UNSUPPORTED', 'Only the web host has an access token.')
    return ctx.webAccess.rotateToken()
  }),
  health: procedure.query(({ ctx }) => ({ storageError: ctx.storage.error })),
  /**
   * An OS notification through the host (Electron `Notification`). `delivered: false` tells the
   * renderer to use the browser Notification API instead (web host).
   */
  notify: procedure
    .input(
      z
        .object({ key: z.string().min(1).max(300), title: z.string().min(1).max(200), body: z.string().max(1000), projectId: idSchema, sessionId: idSchema })
        .strict()
    )
    .mutation(({ ctx, input }) => {
      if (!ctx.host.notify) return { delivered: false }
      ctx.host.notify(input)
      return { delivered: true }
    })
})
