/**
 * Reference for part 1: the cheapest possible consumer of the same agent output — spawn the
 * synthetic agent, frame its stdout into lines and JSON.parse each — with no seq, no database and no
 * push. Throughput of the real pipeline is reported as a share of this (a machine-independent ratio,
 * which the CI-sized test bounds).
 */
import { spawn } from 'node:child_process'
import { LineSplitter } from '../../src-main/providers/line-splitter'
import { SYNTHETIC_AGENT } from '../lib/paths'
import { selfCpuMs } from '../lib/proc'
import { synthPrompt, wallNow } from '../lib/synthetic'

export interface BaselineResult {
  events: number
  eventsPerSec: number
  cpuUsPerEvent: number
}

export async function baselineRun(o: { events: number }): Promise<BaselineResult> {
  const child = spawn(process.execPath, [SYNTHETIC_AGENT], { stdio: ['pipe', 'pipe', 'ignore'] })
  let events = 0
  let warm = false
  let t0: number
  let cpu0: number
  let onResult: () => void = () => {}
  const splitter = new LineSplitter({
    onLine: (line) => {
      const v = JSON.parse(line) as { type?: string }
      if (v.type === 'result') onResult()
      else if (warm && (v.type === 'assistant' || v.type === 'user')) events++
    }
  })
  child.stdout.on('data', (c: Buffer) => splitter.push(c))
  const turn = (prompt: string) =>
    new Promise<void>((resolve) => {
      onResult = resolve
      child.stdin.write(JSON.stringify({ type: 'user', message: { role: 'user', content: prompt } }) + '\n')
    })
  try {
    await turn(synthPrompt(200)) // start-up and warm-up, not measured
    warm = true
    t0 = wallNow()
    cpu0 = selfCpuMs()
    await turn(synthPrompt(o.events))
    const ms = wallNow() - t0
    return { events, eventsPerSec: (events / ms) * 1000, cpuUsPerEvent: ((selfCpuMs() - cpu0) * 1000) / events }
  } finally {
    child.stdin.end()
    child.kill()
  }
}
