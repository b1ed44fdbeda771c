/** Worktree shapes crossing the API boundary (the renderer imports them as types). */

export type WorktreeState = 'preparing' | 'ready' | 'setup_failed' | 'missing' | 'discarded'
export type MergeMode = 'merge' | 'squash'

export interface WorktreeDTO {
  sessionId: string
  projectId: string
  path: string
  branch: string
  baseBranch: string
  baseCommit: string
  state: WorktreeState
  /** Why the state is what it is (e.g. "the folder was removed outside Shepherd"). */
  note: string | null
  mergedHead: string | null
}

/** Can this project have session worktrees? `reason` says why not, for the disabled checkbox. */
export interface WorktreeAvailability {
  available: boolean
  reason: string | null
  currentBranch: string | null
  branches: string[]
  mergeMode: MergeMode
}

export interface FileChangeDTO {
  path: string
  oldPath: string | null
  status: 'added' | 'modified' | 'deleted' | 'renamed' | 'typechange'
  added: number | null
  removed: number | null
  binary: boolean
  uncommitted: boolean
  untracked: boolean
}

export interface ChangesDTO {
  sessionId: string
  files: FileChangeDTO[]
  added: number
  removed: number
  uncommitted: number
  /** The worktree folder is gone (deleted by hand): nothing to show; Discard cleans up the branch. */
  missing: boolean
  message: string | null
}

export interface FileDiffDTO {
  path: string
  /** Unified diff text; empty when `skipped` is set. */
  diff: string
  /** Not rendered: binary, or too large to show usefully. */
  skipped: 'binary' | 'large' | null
  lines: number
}

export interface WorktreeSetupDTO {
  projectId: string
  copyFiles: string[]
  setupCommand: string | null
  mergeMode: MergeMode
}

export type MergeResultDTO =
  | { ok: true; commit: string; mode: MergeMode }
  | { ok: false; reason: 'dirty' | 'conflict' | 'uncommitted' | 'base-busy' | 'nothing'; files: string[]; message: string }

export type RebaseResultDTO = { ok: true; onto: string } | { ok: false; conflicts: string[]; onto: string; message: string; prompt: string }

export interface ReconcileFinding {
  sessionId: string
  projectId: string
  title: string
  what: string
}
