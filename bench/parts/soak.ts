/**
 * Part 7 — durability soak: the web host runs synthetic agents streaming at a fixed total rate; a
 * WebSocket subscriber (the renderer's transport) records every message pushed to it; the host is
 * killed with SIGKILL mid-stream and restarted on the same data dir. After each restart, read with
 * better-sqlite3 directly: `PRAGMA integrity_check` is ok, every pushed message is stored with the
 * same content, and each session's seq is 1..n without gaps.
 */
import Database from 'better-sqlite3'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { MessageDTO } from '../../src-main/shared/dto'
import type { ShepherdEvent } from '../../src-main/shared/events'
import { DB_FILE } from '../../src-main/core'
import { connectHost, startHost, type HostClient, type HostProcess } from '../lib/host'
import { SYNTHETIC_AGENT } from '../lib/paths'
import { synthPrompt, wallNow } from '../lib/synthetic'

export interface SoakOptions {
  cycles: number
  /** Total agent events per second across the sessions. */
  rate: number
  sessions: number
  /** Streaming time before the kill, ms (each cycle picks a random time in [min, max]). */
  minStreamMs: number
  maxStreamMs: number
}

export interface SoakCycle {
  pushed: number
  stored: number
  lost: number
  contentMismatches: number
  seqGaps: number
  integrity: string
  /** Spawn → `SHEPHERD_URL` (listening, database open, orphans swept). */
  restartMs: number
  /** Spawn → first API answer over a fresh WebSocket. */
  restartToApiMs: number
}

export interface SoakResult {
  cycles: number
  pushedTotal: number
  lostTotal: number
  contentMismatches: number
  seqGapsTotal: number
  integrityFailures: number
  restartMsMedian: number
  restartMsMax: number
  restartToApiMsMedian: number
  perCycle: SoakCycle[]
}

async function setupHost(client: HostClient, dir: string): Promise<string> {
  const s = await client.settings.get.query()
  await client.settings.update.mutate({
    maxConcurrentSessions: 32,
    retentionCount: 50,
    providers: { ...s.providers, claude: { ...s.providers.claude, cliPath: SYNTHETIC_AGENT } }
  })
  const path = join(dir, 'project')
  mkdirSync(path, { recursive: true })
  return (await client.projects.add.mutate({ path })).id
}

export async function soakRun(o: SoakOptions): Promise<SoakResult> {
  const dir = mkdtempSync(join(tmpdir(), 'shepherd-soak-'))
  const dataDir = join(dir, 'data')
  const perCycle: SoakCycle[] = []
  let host: HostProcess | null = null
  let conn: ReturnType<typeof connectHost> | null = null
  try {
    host = await startHost(dataDir)
    conn = connectHost(host)
    const projectId = await setupHost(conn.client, dir)
    let restartMs = host.readyMs
    let restartToApiMs = host.readyMs
    for (let cycle = 0; cycle < o.cycles; cycle++) {
      // Record every pushed message of this cycle's sessions.
      const pushed = new Map<string, Map<number, MessageDTO>>()
      let received = 0
      let subscribed: () => void = () => {}
      const ready = new Promise<void>((r) => {
        subscribed = r
      })
      const sub = conn.client.events.stream.subscribe(undefined, {
        onStarted: () => subscribed(),
        onData: (envelope) => {
          const ev = envelope.data as ShepherdEvent
          if (ev.type !== 'agent.message') return
          let m = pushed.get(ev.sessionId)
          if (!m) pushed.set(ev.sessionId, (m = new Map()))
          for (const msg of ev.messages) {
            m.set(msg.seq, msg)
            received++
          }
        },
        onError: () => {}
      })
      await ready
      const ids: string[] = []
      for (let i = 0; i < o.sessions; i++) {
        const s = await conn.client.sessions.start.mutate({ projectId, prompt: synthPrompt(10_000_000, o.rate / o.sessions, cycle + 1) })
        ids.push(s.id)
      }
      const t0 = Date.now()
      while (received === 0 && Date.now() - t0 < 20_000) await sleep(10)
      await sleep(o.minStreamMs + Math.random() * (o.maxStreamMs - o.minStreamMs))
      await host.kill9()
      // Whatever reached us was pushed before the kill; let in-flight frames land, then stop listening.
      await sleep(100)
      sub.unsubscribe()
      conn.close()

      const t1 = wallNow()
      host = await startHost(dataDir)
      restartMs = host.readyMs
      conn = connectHost(host)
      await conn.client.app.info.query()
      restartToApiMs = wallNow() - t1

      perCycle.push({ ...check(join(dataDir, DB_FILE), pushed), restartMs, restartToApiMs })
    }
    const restarts = perCycle.map((c) => c.restartMs).sort((a, b) => a - b)
    const toApi = perCycle.map((c) => c.restartToApiMs).sort((a, b) => a - b)
    return {
      cycles: perCycle.length,
      pushedTotal: perCycle.reduce((n, c) => n + c.pushed, 0),
      lostTotal: perCycle.reduce((n, c) => n + c.lost, 0),
      contentMismatches: perCycle.reduce((n, c) => n + c.contentMismatches, 0),
      seqGapsTotal: perCycle.reduce((n, c) => n + c.seqGaps, 0),
      integrityFailures: perCycle.filter((c) => c.integrity !== 'ok').length,
      restartMsMedian: restarts[Math.floor(restarts.length / 2)] ?? NaN,
      restartMsMax: restarts[restarts.length - 1] ?? NaN,
      restartToApiMsMedian: toApi[Math.floor(toApi.length / 2)] ?? NaN,
      perCycle
    }
  } finally {
    conn?.close()
    await host?.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The checks after a restart, on a separate read connection (the host keeps running). */
function check(file: string, pushed: Map<string, Map<number, MessageDTO>>): Omit<SoakCycle, 'restartMs' | 'restartToApiMs'> {
  const db = new Database(file, { readonly: true })
  try {
    const integrity = String(db.pragma('integrity_check', { simple: true }))
    const rows = db.prepare<[string], { seq: number; text: string; tool_input: string | null }>(
      'SELECT seq, text, tool_input FROM messages WHERE session_id = ? ORDER BY seq'
    )
    let count = 0
    let stored = 0
    let lost = 0
    let mismatches = 0
    let gaps = 0
    for (const [sessionId, msgs] of pushed) {
      const all = rows.all(sessionId)
      stored += all.length
      all.forEach((r, i) => {
        if (r.seq !== i + 1) gaps++
      })
      const bySeq = new Map(all.map((r) => [r.seq, r]))
      for (const [seq, m] of msgs) {
        count++
        const row = bySeq.get(seq)
        if (!row) lost++
        // Long tool results are pushed as a preview (fullLength set): compare that prefix and the length.
        else if (
          (m.fullLength === null ? row.text !== m.text : !row.text.startsWith(m.text) || row.text.length !== m.fullLength) ||
          row.tool_input !== m.toolInput
        )
          mismatches++
      }
    }
    return { pushed: count, stored, lost, contentMismatches: mismatches, seqGaps: gaps, integrity }
  } finally {
    db.close()
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))
