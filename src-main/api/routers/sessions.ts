import { z } from 'zod'
import { extraEnvSchema } from '../../providers/child-env'
import { procedure, router } from '../trpc'
import { idSchema, modelSchema, permissionModeSchema, promptSchema, providerSchema } from '../schemas'

const byId = z.object({ id: idSchema }).strict()

export const sessionsRouter = router({
  list: procedure.input(z.object({ projectId: idSchema }).strict()).query(({ ctx, input }) => ctx.supervisor.listSessions(input.projectId)),
  get: procedure.input(byId).query(({ ctx, input }) => ctx.supervisor.getSession(input.id)),
  start: procedure
    .input(
      z
        .object({
          projectId: idSchema,
          prompt: promptSchema,
          provider: providerSchema.optional(),
          model: modelSchema.optional(),
          permissionMode: permissionModeSchema.optional(),
          systemPrompt: z.string().max(20_000).nullable().optional(),
          extraEnv: extraEnvSchema.optional()
        })
        .strict()
    )
    .mutation(({ ctx, input }) => ctx.supervisor.start(input)),
  /** Warm up an agent for a session about to start in this project (OpenCode: its server). */
  prewarm: procedure
    .input(z.object({ projectId: idSchema, provider: providerSchema }).strict())
    .mutation(({ ctx, input }) => ctx.supervisor.prewarm(input.projectId, input.provider)),
  send: procedure.input(z.object({ id: idSchema, prompt: promptSchema }).strict()).mutation(({ ctx, input }) => ctx.supervisor.send(input.id, input.prompt)),
  interrupt: procedure.input(byId).mutation(async ({ ctx, input }) => {
    await ctx.supervisor.interrupt(input.id)
    return { ok: true as const }
  }),
  stop: procedure.input(byId).mutation(({ ctx, input }) => ctx.supervisor.stop(input.id)),
  resume: procedure
    .input(z.object({ id: idSchema, prompt: promptSchema.optional() }).strict())
    .mutation(({ ctx, input }) => ctx.supervisor.resume(input.id, input.prompt)),
  fork: procedure
    .input(z.object({ id: idSchema, prompt: promptSchema.optional() }).strict())
    .mutation(({ ctx, input }) => ctx.supervisor.fork(input.id, input.prompt)),
  restart: procedure
    .input(
      z
        .object({
          id: idSchema,
          model: modelSchema.optional(),
          permissionMode: permissionModeSchema.optional(),
          systemPrompt: z.string().max(20_000).nullable().optional()
        })
        .strict()
    )
    .mutation(({ ctx, input }) => ctx.supervisor.restart(input.id, input)),
  setModel: procedure
    .input(z.object({ id: idSchema, model: modelSchema }).strict())
    .mutation(({ ctx, input }) => ctx.supervisor.setModel(input.id, input.model)),
  setPermissionMode: procedure
    .input(z.object({ id: idSchema, mode: permissionModeSchema }).strict())
    .mutation(({ ctx, input }) => ctx.supervisor.setPermissionMode(input.id, input.mode)),
  answerApproval: procedure
    .input(
      z
        .object({
          approvalId: idSchema,
          decision: z.discriminatedUnion('behavior', [
            z.object({ behavior: z.literal('allow'), scope: z.enum(['once', 'session']) }).strict(),
            z.object({ behavior: z.literal('deny'), message: z.string().max(2000) }).strict()
          ])
        })
        .strict()
    )
    .mutation(({ ctx, input }) => ctx.supervisor.answerApproval(input.approvalId, input.decision)),
  approvals: procedure.input(z.object({ projectId: idSchema.optional() }).strict()).query(({ ctx, input }) => ctx.supervisor.pendingApprovals(input.projectId)),
  pin: procedure.input(z.object({ id: idSchema, pinned: z.boolean() }).strict()).mutation(({ ctx, input }) => ctx.supervisor.pin(input.id, input.pinned)),
  rename: procedure
    .input(z.object({ id: idSchema, title: z.string().trim().min(1).max(200) }).strict())
    .mutation(({ ctx, input }) => ctx.supervisor.rename(input.id, input.title)),
  delete: procedure.input(z.object({ id: idSchema, discardWork: z.boolean().optional() }).strict()).mutation(async ({ ctx, input }) => {
    // A worktree with unmerged or uncommitted work is removed only when the user confirmed it.
    await ctx.worktrees.beforeSessionDelete(input.id, input.discardWork ?? false)
    await ctx.supervisor.deleteSession(input.id)
    return { ok: true as const }
  }),
  prune: procedure.input(z.object({ projectId: idSchema }).strict()).mutation(({ ctx, input }) => ({ removed: ctx.supervisor.prune(input.projectId) })),
  costByDay: procedure.input(z.object({ sinceDay: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) }).strict()).query(({ ctx, input }) =>
    ctx.store.dailyCost(input.sinceDay).map((r) => ({
      day: r.day,
      projectId: r.project_id,
      provider: r.provider,
      costUsd: r.cost_usd,
      inputTokens: r.input_tokens,
      outputTokens: r.output_tokens
    }))
  )
})
