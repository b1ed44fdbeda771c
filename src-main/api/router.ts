/** The whole API, one router per domain. The renderer imports `type AppRouter` only. */
import { router } from './trpc'
import { appInfoRouter } from './routers/app'
import { eventsRouter } from './routers/events'
import { messagesRouter } from './routers/messages'
import { projectsRouter } from './routers/projects'
import { sessionsRouter } from './routers/sessions'
import { settingsRouter } from './routers/settings'
import { worktreesRouter } from './routers/worktrees'

export const appRouter = router({
  app: appInfoRouter,
  projects: projectsRouter,
  sessions: sessionsRouter,
  messages: messagesRouter,
  settings: settingsRouter,
  events: eventsRouter,
  worktrees: worktreesRouter
})

export type AppRouter = typeof appRouter
