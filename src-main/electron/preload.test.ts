import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it, vi } from 'vitest'

vi.mock('electron', () => import('../../test/support/fake-electron'))

import * as fake from '../../test/support/fake-electron'

describe('preload (only the tRPC port crosses the bridge, docs/fault-catalogue.md SEC-1)', () => {
  it('exposes exactly one global, electronTRPCPort, with only requestPort', async () => {
    fake.resetFakeElectron()
    await import('../../src-preload/index')
    expect(fake.contextBridge.exposeInMainWorld).toHaveBeenCalledOnce()
    const [key, api] = fake.contextBridge.exposeInMainWorld.mock.calls[0]!
    expect(key).toBe('electronTRPCPort')
    expect(Object.keys(api as object)).toEqual(['requestPort'])
    expect(fake.ipcRenderer.eventNames()).toEqual(['electron-messageport-trpc:init'])
    expect(fake.ipcRenderer.send).not.toHaveBeenCalled()
  })

  it('imports nothing but the adapter preload entry', () => {
    const source = readFileSync(resolve(__dirname, '../../src-preload/index.ts'), 'utf8')
    const imports = [...source.matchAll(/^import .* from '([^']+)'/gm)].map((m) => m[1])
    expect(imports).toEqual(['electron-messageport-trpc/preload'])
    const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '')
    expect(code).not.toMatch(/ipcRenderer|process\.|contextBridge|exposeInMainWorld/)
  })
})
