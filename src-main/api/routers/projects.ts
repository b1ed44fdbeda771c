import { z } from 'zod'
import { procedure, router } from '../trpc'
import { SETTING_LIMITS } from '../../shared/limits'
import { idSchema, nameSchema, pathSchema } from '../schemas'
import { isRemoteLocation } from '../../remote/location'

export const projectsRouter = router({
  list: procedure.query(({ ctx }) => ctx.projects.list()),
  get: procedure.input(z.object({ id: idSchema }).strict()).query(({ ctx, input }) => ctx.projects.get(input.id)),
  add: procedure.input(z.object({ path: pathSchema, name: nameSchema.optional() }).strict()).mutation(async ({ ctx, input }) => {
    // A project on an SSH host: reachable, the folder there exists and is readable, before it is added.
    if (isRemoteLocation(input.path)) await ctx.remote.checkForProject(input.path)
    return ctx.projects.add(input.path, input.name)
  }),
  rename: procedure.input(z.object({ id: idSchema, name: nameSchema }).strict()).mutation(({ ctx, input }) => ctx.projects.rename(input.id, input.name)),
  updateSettings: procedure
    .input(
      z
        .object({
          id: idSchema,
          stallThresholdMs: z.number().int().min(SETTING_LIMITS.stallThresholdMs.min).max(SETTING_LIMITS.stallThresholdMs.max).nullable().optional(),
          retentionCount: z.number().int().min(SETTING_LIMITS.retentionCount.min).max(SETTING_LIMITS.retentionCount.max).nullable().optional(),
          retentionDays: z.number().int().min(SETTING_LIMITS.retentionDays.min).max(SETTING_LIMITS.retentionDays.max).nullable().optional()
        })
        .strict()
    )
    .mutation(({ ctx, input }) => ctx.projects.updateSettings(input.id, input)),
  remove: procedure.input(z.object({ id: idSchema }).strict()).mutation(async ({ ctx, input }) => {
    await ctx.projects.remove(input.id)
    return { ok: true as const }
  }),
  /** Native folder picker (Electron). The web host has none: `supported: false`, the UI shows a path field. */
  pickFolder: procedure.mutation(async ({ ctx }) => {
    if (!ctx.host.pickFolder) return { supported: false as const, path: null }
    return { supported: true as const, path: await ctx.host.pickFolder() }
  })
})
