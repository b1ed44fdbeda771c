import { defineConfig } from 'vitest/config'
import { svelte } from '@sveltejs/vite-plugin-svelte'

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Real agent CLIs and SQLite files: keep parallelism modest on 2-core machines.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          environment: 'node',
          include: ['src-main/**/*.test.ts', 'test/**/*.test.ts'],
          // electron-messageport-trpc is ESM-only; inline it so vi.mock('electron') reaches it.
          server: { deps: { inline: ['electron-messageport-trpc'] } }
        }
      },
      {
        // Renderer stores use runes: compile .svelte.ts with the client runtime.
        extends: true,
        plugins: [svelte()],
        resolve: { conditions: ['browser'] },
        test: {
          name: 'renderer',
          environment: 'node',
          include: ['src-renderer/**/*.test.ts']
        }
      }
    ]
  }
})
