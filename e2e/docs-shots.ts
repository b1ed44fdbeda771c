/**
 * Where an e2e test's product screenshot goes: docs/<name> (tracked) only under
 * `npm run docs:screenshots` (SHEPHERD_DOCS_SCREENSHOTS=1); otherwise the test's own output folder, so
 * `npm test` takes the same pictures but never rewrites tracked files.
 */
import { join, resolve } from 'node:path'
import { test } from '@playwright/test'

export const WRITE_DOCS = process.env.SHEPHERD_DOCS_SCREENSHOTS === '1'
const DOCS = resolve(__dirname, '../docs')

export function docsShotPath(name: string): string {
  return WRITE_DOCS ? join(DOCS, name) : test.info().outputPath(name)
}
