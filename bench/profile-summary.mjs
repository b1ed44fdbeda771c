// Summarize a V8 .cpuprofile (node --cpu-prof): self time per function (top N) and idle/GC/program.
// Usage: node bench/profile-summary.mjs <file.cpuprofile> [N]
import { readFileSync } from 'node:fs'

const [file, nStr] = process.argv.slice(2)
const prof = JSON.parse(readFileSync(file, 'utf8'))
const byId = new Map(prof.nodes.map((n) => [n.id, n]))
const self = new Map()
const dt = prof.timeDeltas
for (let i = 0; i < prof.samples.length; i++) {
  const n = byId.get(prof.samples[i])
  const cf = n.callFrame
  const key = `${cf.functionName || '(anon)'} ${cf.url.split('/').slice(-2).join('/')}:${cf.lineNumber + 1}`
  self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0))
}
const total = [...self.values()].reduce((a, b) => a + b, 0)
const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(nStr) || 30)
console.log(`total ${(total / 1000).toFixed(0)} ms`)
for (const [k, v] of rows) console.log(`${(v / 1000).toFixed(1).padStart(8)} ms ${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}`)
