/**
 * ACP client file system methods (`fs/read_text_file`, `fs/write_text_file`), inside the project
 * folder only (see paths.ts).
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { ACP_RESOURCE_NOT_FOUND, JsonRpcError, RPC_INVALID_PARAMS } from './jsonrpc'
import { PathOutsideProjectError, resolveInsideProject } from './paths'
import { isObj } from '../scaffold/values'

/** Larger files are refused: the answer is one JSON line on the agent's stdin. */
export const MAX_TEXT_FILE_BYTES = 16 * 1024 * 1024

function resolveOrThrow(projectDir: string, p: unknown, mustExist: boolean): string {
  try {
    return resolveInsideProject(projectDir, p, { mustExist })
  } catch (err) {
    if (err instanceof PathOutsideProjectError && /does not exist/.test(err.message)) {
      throw new JsonRpcError(ACP_RESOURCE_NOT_FOUND, `Resource not found: ${String(p)}`, { path: p })
    }
    throw new JsonRpcError(RPC_INVALID_PARAMS, `Shepherd only gives the agent files inside the project folder: ${(err as Error).message}`, { path: p })
  }
}

export async function readTextFile(projectDir: string, params: unknown): Promise<{ content: string }> {
  const p = isObj(params) ? params : {}
  const file = resolveOrThrow(projectDir, p.path, true)
  const st = await stat(file)
  if (!st.isFile()) throw new JsonRpcError(RPC_INVALID_PARAMS, `${String(p.path)} is not a file`)
  if (st.size > MAX_TEXT_FILE_BYTES) throw new JsonRpcError(RPC_INVALID_PARAMS, `${String(p.path)} is larger than ${MAX_TEXT_FILE_BYTES} bytes`)
  let content = await readFile(file, 'utf8')
  const line = typeof p.line === 'number' && p.line >= 1 ? Math.floor(p.line) : null
  const limit = typeof p.limit === 'number' && p.limit >= 0 ? Math.floor(p.limit) : null
  if (line !== null || limit !== null) {
    const lines = content.split('\n')
    const start = (line ?? 1) - 1
    content = lines.slice(start, limit !== null ? start + limit : undefined).join('\n')
  }
  return { content }
}

export async function writeTextFile(projectDir: string, params: unknown): Promise<null> {
  const p = isObj(params) ? params : {}
  if (typeof p.content !== 'string') throw new JsonRpcError(RPC_INVALID_PARAMS, 'fs/write_text_file needs content')
  const file = resolveOrThrow(projectDir, p.path, false)
  await mkdir(path.dirname(file), { recursive: true })
  // Re-check after creating folders: nothing may have been swapped for a link meanwhile.
  const again = resolveOrThrow(projectDir, file, false)
  await writeFile(again, p.content, 'utf8')
  return null
}
