import { procedure, router } from '../trpc'

export const appInfoRouter = router({
  info: procedure.query(({ ctx }) => ({ ...ctx.info, canPickFolder: Boolean(ctx.host.pickFolder) }))
})
