import { z } from 'zod'
import { projectToDTO } from '../../store/rows'
import { SEARCH_KINDS } from '../../search/search-index'
import { PROVIDER_IDS, SESSION_STATUSES } from '../../shared/status'
import { ShepherdError } from '../../shared/errors'
import { procedure, router } from '../trpc'
import { idSchema, providerSchema, seqSchema } from '../schemas'

/** Any string is a valid query (the sanitizer makes it one); only its size is bounded. */
const querySchema = z.string().max(10_000)
const timeSchema = z.number().int().min(0).max(8.64e15)

export const searchRouter = router({
  /** Hits across all projects, newest first, one page; `before` continues from a page's `next`. */
  query: procedure
    .input(
      z
        .object({
          query: querySchema,
          projectId: idSchema.optional(),
          provider: providerSchema.optional(),
          kinds: z.array(z.enum(SEARCH_KINDS)).max(SEARCH_KINDS.length).optional(),
          from: timeSchema.optional(),
          to: timeSchema.optional(),
          limit: z.number().int().min(1).max(200).default(50),
          before: seqSchema.nullable().default(null)
        })
        .strict()
    )
    .query(({ ctx, input }) => {
      const page = ctx.search.search(input.query, input, input.limit, input.before)
      return {
        hits: page.hits.map((h) => ({ sessionId: h.session_id, seq: h.seq, kind: h.kind, createdAt: h.created_at, snippet: h.snippet })),
        sessions: page.sessions.map((s) => ({
          id: s.id,
          projectId: s.project_id,
          projectName: s.project_name,
          provider: s.provider as (typeof PROVIDER_IDS)[number],
          title: s.title,
          createdAt: s.created_at,
          lastActivityAt: s.last_activity_at,
          archived: s.archived === 1,
          status: s.status
        })),
        next: page.next,
        index: ctx.search.status()
      }
    }),
  /** Every matching seq of one session, ascending (in-session find). */
  inSession: procedure
    .input(z.object({ sessionId: idSchema, query: querySchema }).strict())
    .query(({ ctx, input }) => ctx.search.findInSession(input.sessionId, input.query)),
  /** Whether the index for messages older than it is still being built, and how far. */
  status: procedure.query(({ ctx }) => ctx.search.status()),
  /** A page of one project's sessions for the session picker, filtered and sorted in SQL. */
  sessions: procedure
    .input(
      z
        .object({
          projectId: idSchema,
          text: z.string().max(200).optional(),
          statuses: z.array(z.enum(SESSION_STATUSES)).max(SESSION_STATUSES.length).optional(),
          providers: z.array(providerSchema).max(PROVIDER_IDS.length).optional(),
          archived: z.boolean().default(false),
          limit: z.number().int().min(1).max(500).default(100),
          offset: z.number().int().min(0).max(1_000_000).default(0)
        })
        .strict()
    )
    .query(({ ctx, input }) => {
      const project = ctx.store.getProject(input.projectId)
      if (!project) throw new ShepherdError('NOT_FOUND', `no project with id ${input.projectId}`)
      const { rows, total } = ctx.search.listSessions(input)
      return { project: projectToDTO(project), sessions: rows.map((r) => ctx.supervisor.getSession(r.id)), total }
    }),
  /** Hide a session from the list (it stays in search) or bring it back. */
  archive: procedure.input(z.object({ id: idSchema, archived: z.boolean() }).strict()).mutation(({ ctx, input }) => {
    if (!ctx.store.getSession(input.id)) throw new ShepherdError('NOT_FOUND', `no session with id ${input.id}`)
    ctx.store.updateSession(input.id, { archived: input.archived ? 1 : 0 })
    const session = ctx.supervisor.getSession(input.id)
    ctx.hub.publish({ type: 'session.changed', session })
    return session
  })
})
