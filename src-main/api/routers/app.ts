import { z } from 'zod'
import { procedure, router } from '../trpc'
import { idSchema } from '../schemas'

export const appInfoRouter = router({
  info: procedure.query(({ ctx }) => ({ ...ctx.info, canPickFolder: Boolean(ctx.host.pickFolder), canNotify: Boolean(ctx.host.notify) })),
  /** Live health (pushed as `app.storage` when it changes): why database writes fail, or null. */
  health: procedure.query(({ ctx }) => ({ storageError: ctx.storage.error })),
  /**
   * An OS notification through the host (Electron `Notification`). `delivered: false` tells the
   * renderer to use the browser Notification API instead (web host).
   */
  notify: procedure
    .input(z.object({ key: z.string().min(1).max(300), title: z.string().min(1).max(200), body: z.string().max(1000), projectId: idSchema, sessionId: idSchema }).strict())
    .mutation(({ ctx, input }) => {
      if (!ctx.host.notify) return { delivered: false }
      ctx.host.notify(input)
      return { delivered: true }
    })
})
