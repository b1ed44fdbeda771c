// Preloaded into the Electron security linter (scripts/electron-lint.mjs): its `got` HTTP client
// (translations, Electron release notes) fails at once, so the lint never leaves this machine.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS preload (node -r) hooks require itself
const Module = require('node:module')
const load = Module._load
Module._load = function (request, parent, isMain) {
  if (request === 'got') {
    const offline = () => Promise.reject(new Error('offline: the lint makes no network requests'))
    const got = Object.assign(offline, { head: offline, get: offline, post: offline, default: offline })
    return got
  }
  return load.call(this, request, parent, isMain)
}
