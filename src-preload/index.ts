/**
 * Sandboxed preload: exposes ONLY the tRPC transport. `exposePortReceiver()` (electron-messageport-
 * trpc 0.4.2) listens for the MessagePort that main posts on each load and exposes a single
 * `window.electronTRPCPort.requestPort()` to the page; the port then arrives via `window.postMessage`.
 *
 * Nothing else crosses the bridge: no `ipcRenderer`, no `process`, no env (docs/fault-catalogue.md SEC-1).
 */
import { exposePortReceiver } from 'electron-messageport-trpc/preload'

exposePortReceiver()
