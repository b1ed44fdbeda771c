/** The Changes store's API, backed by the tRPC client. */
import { api } from '../lib/api/client'
import type { ChangesApi } from './changes-store.svelte'

export const changesApi: ChangesApi = {
  worktree: (sessionId) => api.worktrees.get.query({ sessionId }),
  changes: (sessionId) => api.worktrees.changes.query({ sessionId }),
  diff: (sessionId, path) => api.worktrees.diff.query({ sessionId, path })
}
