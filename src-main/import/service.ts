/**
 * Imports the CLIs' own transcripts of a project folder as Shepherd sessions, in the background.
 *
 * Idempotent: per CLI session, the byte offset reached in each of its files, the seq reached and the
 * mapper's cross-line state are stored (settings table, key `import:<project>:<provider>:<cli id>`) in
 * the same transaction as the messages they cover, so a crash or a cancel never imports a line twice
 * and a re-run reads only what was appended since. A last line without its "\n" (the CLI is still
 * writing it) is left for the next run. One job per project: a second request joins the running one.
 */
import { randomUUID } from 'node:crypto'
import { statSync } from 'node:fs'
import { ACTIVE_STATUSES } from '../shared/status'
import { ShepherdError } from '../shared/errors'
import { sessionToDTO, type MessageRow } from '../store/rows'
import type { Store } from '../store/store'
import type { EventHub } from '../supervisor/event-hub'
import { claudeTotals, mapClaudeLine, newClaudeParseState, newClaudeState, type ClaudeMapState } from './claude-transcript'
import { codexTotals, mapCodexLine, newCodexState, type CodexMapState } from './codex-transcript'
import { findClaudeTranscripts, findCodexTranscripts, type Env } from './discover'
import type { ImportJobDTO, ImportScanDTO } from './dto'
import { ImportCancelled, readJsonlLines } from './jsonl-reader'
import { isObj, type FoundTranscript, type ImportedMessage, type ImportTotals } from './types'

interface ImportState {
  v: 1
  sessionId: string
  /** Per file: offset of the next line to read, its line number, and the file's size when last read (an unfinished last line stays unread without counting as new). */
  files: Record<string, { offset: number; lineNo: number; seen?: number }>
  lastSeq: number
  /** Read, but nothing to show yet (e.g. only bookkeeping lines): no session was created. */
  empty?: boolean
  claude?: ClaudeMapState
  codex?: CodexMapState
}

const BATCH = 500
const MAX_SKIPS_KEPT = 100

export class ImportService {
  readonly #jobs = new Map<string, { dto: ImportJobDTO; abort: AbortController; done: Promise<ImportJobDTO> }>()

  constructor(
    private readonly store: Store,
    private readonly hub: EventHub,
    private readonly env: Env,
    private readonly opts: { maxLineBytes?: number; chunkBytes?: number } = {}
  ) {}

  #project(projectId: string) {
    const p = this.store.getProject(projectId)
    if (!p) throw new ShepherdError('NOT_FOUND', `no project with id ${projectId}`)
    return p
  }

  #find(path: string): FoundTranscript[] {
    return [...findClaudeTranscripts(path, this.env), ...findCodexTranscripts(path, this.env)]
  }

  #stateKey = (projectId: string, t: { provider: string; cliSessionId: string }) => `import:${projectId}:${t.provider}:${t.cliSessionId}`
  #loadState(key: string): ImportState | null {
    const raw = this.store.getSetting(key)
    if (!raw) return null
    try {
      return JSON.parse(raw) as ImportState
    } catch {
      return null
    }
  }

  /** Shepherd's own sessions also leave CLI files: those are never imported as copies. */
  #ownCliIds(projectId: string): Set<string> {
    const own = new Set<string>()
    for (const s of this.store.listSessions(projectId)) {
      if (s.cli_session_id && !this.store.getSetting(this.#stateKey(projectId, { provider: s.provider, cliSessionId: s.cli_session_id })))
        own.add(s.cli_session_id)
    }
    return own
  }

  #pending(projectId: string, t: FoundTranscript): boolean {
    const st = this.#loadState(this.#stateKey(projectId, t))
    const row = st ? this.store.getSession(st.sessionId) : undefined
    if (!st) return true
    if (!row) return st.empty ? t.files.some((f) => unread(st, f)) : true
    // Continued in Shepherd since: what the CLI appended is that conversation, stored live already.
    if (row.last_seq !== st.lastSeq) return false
    return t.files.some((f) => unread(st, f))
  }

  /** How many sessions each CLI has for this folder, and how many have something to import. */
  scan(projectId: string): ImportScanDTO {
    const project = this.#project(projectId)
    const own = this.#ownCliIds(projectId)
    const found = this.#find(project.path).filter((t) => !own.has(t.cliSessionId))
    const count = (p: 'claude' | 'codex') => {
      const list = found.filter((t) => t.provider === p)
      return { sessions: list.length, pending: list.filter((t) => this.#pending(projectId, t)).length }
    }
    const claude = count('claude')
    const codex = count('codex')
    return { projectId, claude, codex, pending: claude.pending + codex.pending }
  }

  status(projectId: string): ImportJobDTO | null {
    return this.#jobs.get(projectId)?.dto ?? null
  }

  cancel(projectId: string): ImportJobDTO | null {
    const job = this.#jobs.get(projectId)
    if (job?.dto.state === 'running') job.abort.abort()
    return job?.dto ?? null
  }

  /** Starts an import of the folder (or joins the one running) and returns at once. */
  run(projectId: string): { job: ImportJobDTO; done: Promise<ImportJobDTO> } {
    const running = this.#jobs.get(projectId)
    if (running?.dto.state === 'running') return { job: running.dto, done: running.done }
    const project = this.#project(projectId)
    const dto: ImportJobDTO = {
      projectId,
      state: 'running',
      filesTotal: 0,
      filesDone: 0,
      bytesTotal: 0,
      bytesDone: 0,
      sessionsAdded: 0,
      sessionsUpdated: 0,
      messagesAdded: 0,
      skipped: [],
      skippedCount: 0,
      notes: [],
      errors: [],
      startedAt: Date.now(),
      finishedAt: null
    }
    const abort = new AbortController()
    const done = (async () => {
      try {
        const own = this.#ownCliIds(projectId)
        const found = this.#find(project.path).filter((t) => !own.has(t.cliSessionId))
        dto.filesTotal = found.reduce((n, t) => n + t.files.length, 0)
        dto.bytesTotal = found.reduce((n, t) => n + t.size, 0)
        for (const t of found) {
          if (abort.signal.aborted) throw new ImportCancelled()
          try {
            await this.#importOne(project.id, project.path, t, dto, abort.signal)
          } catch (err) {
            if (err instanceof ImportCancelled) throw err
            dto.errors.push(`${t.files[0]}: ${err instanceof Error ? err.message : String(err)}`)
          }
        }
        dto.state = 'done'
      } catch (err) {
        if (err instanceof ImportCancelled) dto.state = 'cancelled'
        else {
          dto.state = 'failed'
          dto.errors.push(err instanceof Error ? err.message : String(err))
        }
      }
      dto.finishedAt = Date.now()
      return dto
    })()
    this.#jobs.set(projectId, { dto, abort, done })
    return { job: dto, done }
  }

  async #importOne(projectId: string, cwd: string, t: FoundTranscript, job: ImportJobDTO, signal: AbortSignal): Promise<void> {
    const key = this.#stateKey(projectId, t)
    let state = this.#loadState(key)
    let row = state ? this.store.getSession(state.sessionId) : undefined
    if (state && !row && !state.empty) state = null // deleted in Shepherd since: import it afresh
    const doneBytes = job.bytesDone
    if (state && t.files.every((f) => !unread(state!, f))) {
      job.filesDone += t.files.length
      job.bytesDone = doneBytes + t.size
      return
    }
    if (row && (ACTIVE_STATUSES as readonly string[]).includes(row.status)) {
      job.notes.push(`${t.provider} session ${t.cliSessionId} is running in Shepherd; its new turns are already here`)
      job.filesDone += t.files.length
      job.bytesDone = doneBytes + t.size
      return
    }
    const st: ImportState = state ?? {
      v: 1,
      sessionId: randomUUID(),
      files: {},
      lastSeq: 0,
      ...(t.provider === 'claude' ? { claude: newClaudeState() } : { codex: newCodexState() })
    }
    // Resumed in Shepherd after the last import: the lines the CLI appended since are those turns,
    // which Shepherd stored live. Move past them without copying them again.
    const advanceOnly = row !== undefined && row.last_seq !== st.lastSeq
    const isNew = row === undefined
    let pending: ImportedMessage[] = []
    let added = 0
    const parse = newClaudeParseState()

    const flush = (offsets: ImportState['files']) => {
      const msgs = pending
      pending = []
      if (!row && msgs.length === 0) {
        // Nothing to show yet: remember how far the files were read, create no empty session.
        st.files = offsets
        st.empty = true
        this.store.setSetting(key, JSON.stringify(st))
        return
      }
      st.empty = false
      this.store.transaction(() => {
        const now = Date.now()
        if (!row) {
          const first = msgs[0]?.createdAt ?? t.mtimeMs
          const model = st.claude?.model ?? st.codex?.model ?? null
          this.store.insertSession({
            // Codex may have run in a sub-folder of the project: resume it there.
            id: st.sessionId,
            projectId,
            provider: t.provider,
            model,
            permissionMode: 'default',
            cwd: st.codex?.cwd ?? cwd,
            title: titleOf(st, t),
            systemPrompt: null,
            extraEnv: {},
            status: 'done',
            now: first
          })
          // Pinned: retention (keep the newest N, none older than D days) would otherwise delete months of
          // imported history at the next start. Unpinning hands a session back to retention.
          this.store.updateSession(st.sessionId, { cli_session_id: t.cliSessionId, ended_at: first, pinned: 1 })
        }
        const cur = this.store.getSession(st.sessionId)!
        let seq = cur.last_seq
        if (!advanceOnly && msgs.length) {
          const rows: MessageRow[] = msgs.map((m) => ({
            session_id: st.sessionId,
            seq: ++seq,
            kind: m.kind,
            text: m.text,
            tool_name: m.toolName ?? null,
            tool_input: m.toolInput ?? null,
            tool_path: m.toolPath ?? null,
            tool_use_id: m.toolUseId ?? null,
            parent_id: m.parentId ?? null,
            is_error: m.isError ? 1 : 0,
            created_at: m.createdAt
          }))
          this.store.insertMessages(rows)
        }
        const totals: ImportTotals = st.claude ? claudeTotals(st.claude) : codexTotals(st.codex!)
        const last = msgs[msgs.length - 1]?.createdAt
        this.store.updateSession(st.sessionId, {
          ...(advanceOnly
            ? {}
            : {
                last_seq: seq,
                input_tokens: totals.inputTokens,
                output_tokens: totals.outputTokens,
                cache_read_tokens: totals.cacheReadTokens,
                cache_write_tokens: totals.cacheWriteTokens,
                context_tokens: totals.contextTokens,
                context_window: totals.contextWindow,
                cost_usd: totals.costUsd ?? 0,
                cost_known: totals.costKnown ? 1 : 0,
                title: isNew ? titleOf(st, t) : cur.title,
                model: cur.model ?? st.claude?.model ?? st.codex?.model ?? null
              }),
          ...(last && last > cur.last_activity_at ? { last_activity_at: last, ended_at: last } : {}),
          updated_at: now
        })
        st.files = offsets
        st.lastSeq = advanceOnly ? st.lastSeq : seq
        this.store.setSetting(key, JSON.stringify(st))
        row = this.store.getSession(st.sessionId)
      })
      added += advanceOnly ? 0 : msgs.length
      if (row) this.hub.publish({ type: 'session.changed', session: sessionToDTO(row) })
    }

    const offsets: ImportState['files'] = { ...st.files }
    const read = new Set<string>()
    const subFileOf = (agent: string) => t.files.find((f, i) => i > 0 && f.endsWith(`agent-${agent}.jsonl`))
    const readFile = async (file: string, agentId: string | null): Promise<void> => {
      read.add(file)
      const from = offsets[file] ?? { offset: 0, lineNo: 0 }
      const base = job.bytesDone
      for await (const item of readJsonlLines(file, {
        from: from.offset,
        lineNo: from.lineNo,
        signal,
        maxLineBytes: this.opts.maxLineBytes,
        chunkBytes: this.opts.chunkBytes,
        onProgress: (off) => {
          job.bytesDone = Math.max(job.bytesDone, base + Math.max(0, off - from.offset))
        }
      })) {
        let started: string | undefined
        if ('reason' in item) {
          skip(job, file, item.lineNo, `line of ${item.bytes} bytes is longer than the limit`)
        } else {
          let value: unknown
          try {
            value = JSON.parse(item.text)
          } catch {
            value = undefined
          }
          if (!isObj(value)) skip(job, file, item.lineNo, item.text.trim() ? 'not valid JSON (malformed or truncated)' : 'empty line')
          else if (st.claude) {
            const r = mapClaudeLine(item.text, value, st.claude, parse, agentId)
            pending.push(...r.messages)
            started = r.startedAgent
          } else pending.push(...mapCodexLine(value, st.codex!).messages)
        }
        offsets[file] = { offset: item.end, lineNo: item.lineNo }
        if (pending.length >= BATCH) flush({ ...offsets })
        // A sub-agent just started: its rows go right here, under the call, not after the whole session.
        const sub = started && !agentId ? subFileOf(started) : undefined
        if (sub && !read.has(sub)) await readFile(sub, started!)
      }
      const seen = sizeOf(file)
      offsets[file] = { ...(offsets[file] ?? { offset: 0, lineNo: 0 }), seen: Math.max(seen, offsets[file]?.offset ?? 0) }
      job.filesDone++
    }
    await readFile(t.files[0]!, null)
    for (let i = 1; i < t.files.length; i++) {
      const file = t.files[i]!
      if (read.has(file)) continue
      const agentId = t.provider === 'claude' ? (/agent-([^/\\]+)\.jsonl$/.exec(file)?.[1] ?? null) : null
      // A sub-agent's rows hang under the call that started it, known from the main file's result line:
      // while that line is still being written, leave the sub-agent's file for the next run.
      if (agentId && st.claude && !st.claude.agents[agentId] && (offsets[t.files[0]!]?.offset ?? 0) < sizeOf(t.files[0]!)) {
        job.filesDone++
        continue
      }
      await readFile(file, agentId)
    }
    // Commit the rest (and the offsets reached, even with no messages: bookkeeping lines count too).
    if (pending.length || isNew || JSON.stringify(offsets) !== JSON.stringify(st.files)) flush({ ...offsets })
    job.bytesDone = doneBytes + t.size
    if (isNew && row) job.sessionsAdded++
    else if (added > 0) job.sessionsUpdated++
    job.messagesAdded += added
  }
}

function skip(job: ImportJobDTO, file: string, line: number, reason: string) {
  job.skippedCount++
  if (job.skipped.length < MAX_SKIPS_KEPT) job.skipped.push({ file, line, reason })
}

function titleOf(st: ImportState, t: FoundTranscript): string {
  const title = st.claude?.title ?? st.codex?.title
  return (title || `${t.provider === 'claude' ? 'Claude Code' : 'Codex'} session ${t.cliSessionId.slice(0, 8)}`).slice(0, 200)
}

function unread(st: ImportState, file: string): boolean {
  const f = st.files[file]
  return sizeOf(file) > (f ? Math.max(f.offset, f.seen ?? 0) : 0)
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size
  } catch {
    return 0
  }
}
