import { z } from 'zod'
import { settingsPatchSchema, UI_KEY } from '../../services/settings'
import { procedure, router } from '../trpc'

export const settingsRouter = router({
  get: procedure.query(({ ctx }) => ctx.settings.get()),
  update: procedure.input(settingsPatchSchema.strict()).mutation(({ ctx, input }) => {
    const next = ctx.settings.update(input)
    // A lower bound of idle agents or a shorter sleep time applies now, not at the next check.
    ctx.supervisor.sleepIdle()
    return next
  }),
  /** Renderer-owned state (drafts, layout, scroll, expanded items). */
  uiAll: procedure.query(({ ctx }) => ctx.settings.allUi()),
  uiSet: procedure.input(z.object({ key: z.string().regex(UI_KEY), value: z.unknown() }).strict()).mutation(({ ctx, input }) => {
    ctx.settings.setUi(input.key, input.value)
    return { ok: true as const }
  }),
  providers: procedure.query(({ ctx }) => ctx.supervisor.detectProviders())
})
