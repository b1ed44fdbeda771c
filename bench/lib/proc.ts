/** CPU time of processes from /proc (Linux): ours, children's, whole process trees. */
import { readFileSync, readdirSync } from 'node:fs'
import { cpus } from 'node:os'

const TICKS_PER_SECOND = 100 // USER_HZ on Linux

interface Stat {
  pid: number
  ppid: number
  cpuMs: number
}

function readStat(pid: number): Stat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ')
    // Fields after comm: state(0) ppid(1) ... utime(11) stime(12)
    return { pid, ppid: Number(rest[1]), cpuMs: ((Number(rest[11]) + Number(rest[12])) * 1000) / TICKS_PER_SECOND }
  } catch {
    return null
  }
}

/** User + system CPU of one process in ms (10 ms resolution), or 0 when it is gone. */
export function processCpuMs(pid: number): number {
  return readStat(pid)?.cpuMs ?? 0
}

/** Every live process whose ancestry includes `root` (root included). */
export function processTree(root: number): number[] {
  const all: Stat[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const s = readStat(Number(name))
    if (s) all.push(s)
  }
  const children = new Map<number, number[]>()
  for (const s of all) {
    const list = children.get(s.ppid) ?? []
    list.push(s.pid)
    children.set(s.ppid, list)
  }
  const out: number[] = []
  const stack = [root]
  while (stack.length) {
    const pid = stack.pop()!
    out.push(pid)
    for (const c of children.get(pid) ?? []) stack.push(c)
  }
  return out
}

/** Summed CPU ms of a set of pids (snapshot; processes that exited meanwhile count 0). */
export function cpuMsOf(pids: readonly number[]): number {
  let total = 0
  for (const p of pids) total += processCpuMs(p)
  return total
}

/** This process's CPU time in ms (µs resolution). */
export function selfCpuMs(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

export function coreCount(): number {
  return cpus().length
}
