import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import { svelte } from '@sveltejs/vite-plugin-svelte'

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // ESM-only adapter: bundle it into the CJS main bundle.
      externalizeDeps: { exclude: ['electron-messageport-trpc'] },
      lib: {
        entry: {
          index: resolve(__dirname, 'src-main/index.ts'),
          // Plain-Node web host (same core + router over WebSocket) for browsers and tests.
          host: resolve(__dirname, 'src-main/host.ts')
        }
      }
    }
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload cannot require() from node_modules: bundle everything.
      externalizeDeps: { exclude: ['electron-messageport-trpc'] },
      lib: { entry: { index: resolve(__dirname, 'src-preload/index.ts') } }
    }
  },
  renderer: {
    root: resolve(__dirname, 'src-renderer'),
    plugins: [svelte()],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      rollupOptions: { input: { index: resolve(__dirname, 'src-renderer/index.html') } }
    }
  }
})
