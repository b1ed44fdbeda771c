/** Session worktrees: availability, start with a worktree, changes and diffs, commit/merge/rebase/discard, setup. */
import { z } from 'zod'
import { extraEnvSchema } from '../../providers/child-env'
import { procedure, router } from '../trpc'
import { idSchema, modelSchema, permissionModeSchema, promptSchema, providerSchema } from '../schemas'
import { titleOf } from '../../supervisor/supervisor'
import { ShepherdError } from '../../shared/errors'
import { isRemoteLocation } from '../../remote/location'

const bySession = z.object({ sessionId: idSchema }).strict()
const byProject = z.object({ projectId: idSchema }).strict()
/** Git ref names: no control characters, spaces, `..`, or a leading `-` (never an option). */
const branchSchema = z
  .string()
  .min(1)
  .max(250)
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  .regex(/^(?!-)(?!.*\.\.)[^\s~^:?*[\\\x00-\x1f\x7f]+$/, 'not a valid branch name')
const relPathSchema = z.string().min(1).max(4096)
const messageSchema = z.string().trim().min(1, 'the commit message is empty').max(20_000)
const mergeModeSchema = z.enum(['merge', 'squash'])

export const worktreesRouter = router({
  availability: procedure.input(byProject).query(({ ctx, input }) => ctx.worktrees.availability(input.projectId)),
  forProject: procedure.input(byProject).query(({ ctx, input }) => ctx.worktrees.forProject(input.projectId)),
  get: procedure.input(bySession).query(({ ctx, input }) => ctx.worktrees.get(input.sessionId)),
  /** What the startup reconcile found (records vs `git worktree list`). */
  findings: procedure.query(({ ctx }) => ctx.worktrees.findings),
  /** `sessions.start` in a new worktree: returns at once, the pane shows "preparing worktree…". */
  start: procedure
    .input(
      z
        .object({
          projectId: idSchema,
          prompt: promptSchema,
          baseBranch: branchSchema.optional(),
          provider: providerSchema.optional(),
          model: modelSchema.optional(),
          permissionMode: permissionModeSchema.optional(),
          systemPrompt: z.string().max(20_000).nullable().optional(),
          extraEnv: extraEnvSchema.optional()
        })
        .strict()
    )
    .mutation(async ({ ctx, input }) => {
      const { baseBranch, ...rest } = input
      const plan = await ctx.worktrees.planStart(input.projectId, titleOf(input.prompt), baseBranch)
      return ctx.supervisor.start({ ...rest, ...plan })
    }),
  fork: procedure
    .input(z.object({ sessionId: idSchema, prompt: promptSchema.optional() }).strict())
    .mutation(({ ctx, input }) => ctx.worktrees.fork(input.sessionId, input.prompt)),
  changes: procedure.input(bySession).query(({ ctx, input }) => ctx.worktrees.changes(input.sessionId)),
  diff: procedure
    .input(z.object({ sessionId: idSchema, path: relPathSchema }).strict())
    .query(({ ctx, input }) => ctx.worktrees.diff(input.sessionId, input.path)),
  commit: procedure
    .input(z.object({ sessionId: idSchema, message: messageSchema }).strict())
    .mutation(({ ctx, input }) => ctx.worktrees.commit(input.sessionId, input.message)),
  merge: procedure
    .input(z.object({ sessionId: idSchema, mode: mergeModeSchema, message: messageSchema }).strict())
    .mutation(({ ctx, input }) => ctx.worktrees.merge(input.sessionId, input.mode, input.message)),
  rebase: procedure.input(bySession).mutation(({ ctx, input }) => ctx.worktrees.rebase(input.sessionId)),
  atRisk: procedure.input(bySession).query(({ ctx, input }) => ctx.worktrees.atRisk(input.sessionId)),
  discard: procedure.input(bySession).mutation(async ({ ctx, input }) => {
    await ctx.worktrees.discard(input.sessionId)
    return { ok: true as const }
  }),
  /** Electron: opens the session's worktree in the OS file manager. Browser: returns the path to copy. */
  openFolder: procedure.input(bySession).mutation(async ({ ctx, input }) => {
    const w = ctx.worktrees.get(input.sessionId)
    if (!w) throw new ShepherdError('NOT_FOUND', 'this session has no worktree')
    // A worktree on an SSH host is not on this machine's file manager: its path is shown to copy.
    if (!ctx.host.openFolder || isRemoteLocation(w.path)) return { opened: false, path: w.path }
    await ctx.host.openFolder(w.path)
    return { opened: true, path: w.path }
  }),
  /** Start an agent whose worktree setup failed, in the worktree as it is. */
  startAnyway: procedure.input(bySession).mutation(({ ctx, input }) => ctx.supervisor.resume(input.sessionId)),
  setup: procedure.input(byProject).query(({ ctx, input }) => ctx.worktrees.setup(input.projectId)),
  saveSetup: procedure
    .input(
      z
        .object({
          projectId: idSchema,
          copyFiles: z.array(relPathSchema).max(100).optional(),
          setupCommand: z.string().max(4000).nullable().optional(),
          mergeMode: mergeModeSchema.optional()
        })
        .strict()
    )
    .mutation(({ ctx, input }) => {
      const { projectId, ...patch } = input
      return ctx.worktrees.saveSetup(projectId, patch)
    })
})
