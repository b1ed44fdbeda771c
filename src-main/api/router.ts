/** The whole API, one router per domain. The renderer imports `type AppRouter` only. */
import { router } from './trpc'
import { appInfoRouter } from './routers/app'
import { eventsRouter } from './routers/events'
import { messagesRouter } from './routers/messages'
import { projectsRouter } from './routers/projects'
import { sessionsRouter } from './routers/sessions'
import { settingsRouter } from './routers/settings'
import { budgetsRouter } from './routers/budgets'
import { inboxRouter } from './routers/inbox'
import { usageRouter } from './routers/usage'
import { exportsRouter } from './routers/exports'
import { importsRouter } from './routers/imports'
import { searchRouter } from './routers/search'
import { worktreesRouter } from './routers/worktrees'
import { questionsRouter } from './routers/questions'
import { remoteRouter } from './routers/remote'

export const appRouter = router({
  app: appInfoRouter,
  projects: projectsRouter,
  sessions: sessionsRouter,
  messages: messagesRouter,
  settings: settingsRouter,
  events: eventsRouter,
  inbox: inboxRouter,
  budgets: budgetsRouter,
  usage: usageRouter,
  exports: exportsRouter,
  imports: importsRouter,
  search: searchRouter,
  worktrees: worktreesRouter,
  questions: questionsRouter,
  remote: remoteRouter
})

export type AppRouter = typeof appRouter
