// Bundles the TypeScript benchmark harness (bench/run-part.ts and what it imports from src-main)
// into .tmp/bench/dist/run-part.mjs with Vite, so parts run in plain Node (and under --cpu-prof).
// npm packages stay external (better-sqlite3 is native). Rebuilt only when sources changed.
import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { newestMtime, root } from '../scripts/lib.mjs'

export const HARNESS = join(root, '.tmp/bench/dist/run-part.mjs')

export async function buildHarness({ force = false } = {}) {
  const sources = newestMtime(['bench', 'src-main', 'test/support', 'package.json'])
  if (!force && existsSync(HARNESS) && statSync(HARNESS).mtimeMs > sources) return HARNESS
  const { build } = await import('vite')
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    build: {
      ssr: true,
      outDir: join(root, '.tmp/bench/dist'),
      emptyOutDir: true,
      target: 'node20',
      minify: false,
      sourcemap: true,
      rollupOptions: {
        input: { 'run-part': join(root, 'bench/run-part.ts') },
        external: (id) => id.startsWith('node:') || !(id.startsWith('.') || id.startsWith('/') || id.startsWith('\0')),
        output: { format: 'es', entryFileNames: '[name].mjs', chunkFileNames: '[name]-[hash].mjs' }
      }
    }
  })
  return HARNESS
}
