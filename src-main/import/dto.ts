/** Import DTOs (the renderer imports these as types). */
export interface ImportScanDTO {
  projectId: string
  claude: { sessions: number; pending: number }
  codex: { sessions: number; pending: number }
  /** Sessions with something not imported yet (new, or turns appended since the last import). */
  pending: number
}

export interface ImportSkipDTO {
  file: string
  line: number
  reason: string
}

export interface ImportJobDTO {
  projectId: string
  state: 'running' | 'done' | 'cancelled' | 'failed'
  filesTotal: number
  filesDone: number
  bytesTotal: number
  bytesDone: number
  sessionsAdded: number
  sessionsUpdated: number
  messagesAdded: number
  /** Malformed or oversized lines that were skipped (first 100). */
  skipped: ImportSkipDTO[]
  skippedCount: number
  /** Sessions not imported this time and why (e.g. running in Shepherd right now). */
  notes: string[]
  errors: string[]
  startedAt: number
  finishedAt: number | null
}
