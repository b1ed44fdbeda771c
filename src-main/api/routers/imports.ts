import { z } from 'zod'
import { procedure, router } from '../trpc'
import { idSchema } from '../schemas'

const byProject = z.object({ projectId: idSchema }).strict()

/** Import of the CLIs' own transcripts for a project folder (Claude Code, Codex). */
export const importsRouter = router({
  /** What there is to import ("Found 37 Claude Code sessions for this folder"). */
  scan: procedure.input(byProject).query(({ ctx, input }) => ctx.imports.scan(input.projectId)),
  /** Starts in the background (or joins the import already running for this project). */
  start: procedure.input(byProject).mutation(({ ctx, input }) => ctx.imports.run(input.projectId).job),
  status: procedure.input(byProject).query(({ ctx, input }) => ctx.imports.status(input.projectId)),
  cancel: procedure.input(byProject).mutation(({ ctx, input }) => ctx.imports.cancel(input.projectId))
})
