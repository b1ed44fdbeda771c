/** The real ProjectApi / UiStateApi over the typed tRPC client. */
import type { TRPCClient } from '@trpc/client'
import type { AppRouter } from '../../src-main/api/router'
import type { ProjectApi } from './api'
import type { UiStateApi } from './ui-state.svelte'

export function trpcProjectApi(c: TRPCClient<AppRouter>): ProjectApi & UiStateApi {
  return {
    listSessions: (projectId) => c.sessions.list.query({ projectId }),
    pageMessages: (sessionId, beforeSeq, limit) => c.messages.page.query({ sessionId, beforeSeq, limit }),
    messagesAfter: (sessionId, afterSeq, limit) => c.messages.after.query({ sessionId, afterSeq, limit }),
    messagesAround: (sessionId, seq, before, after) => c.messages.around.query({ sessionId, seq, before, after }),
    approvals: (projectId) => c.sessions.approvals.query({ projectId }),
    questions: (projectId) => c.questions.pending.query({ projectId }),
    prune: (projectId) => c.sessions.prune.mutate({ projectId }),
    // async: a client without the procedure (test fakes) rejects instead of throwing in the caller.
    prewarm: async (projectId, provider) => c.sessions.prewarm.mutate({ projectId, provider }),
    uiAll: () => c.settings.uiAll.query(),
    uiSet: (key, value) => c.settings.uiSet.mutate({ key, value })
  }
}
