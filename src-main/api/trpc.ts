/**
 * tRPC is initialised once, here. Domain errors (ShepherdError) become TRPCErrors with a matching
 * code; the formatter adds `shepherdCode` and per-field messages so the client gets them intact.
 */
import { initTRPC, TRPCError } from '@trpc/server'
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc'
import { ZodError } from 'zod'
import { ShepherdError, type ShepherdErrorCode } from '../shared/errors'
import type { ApiContext } from './context'

const CODE_MAP: Record<ShepherdErrorCode, TRPC_ERROR_CODE_KEY> = {
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  BAD_REQUEST: 'BAD_REQUEST',
  AGENT_NOT_FOUND: 'PRECONDITION_FAILED',
  SPAWN_FAILED: 'INTERNAL_SERVER_ERROR',
  DB_FULL: 'INTERNAL_SERVER_ERROR',
  DB_READONLY: 'INTERNAL_SERVER_ERROR',
  DB_BUSY: 'TIMEOUT',
  DB_TOO_NEW: 'PRECONDITION_FAILED',
  UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  UNSUPPORTED: 'METHOD_NOT_SUPPORTED',
  SSH_FAILED: 'PRECONDITION_FAILED'
}

const t = initTRPC.context<ApiContext>().create({
  errorFormatter({ shape, error }) {
    const cause = error.cause
    const shepherd = cause instanceof ShepherdError ? cause : null
    const zod = cause instanceof ZodError ? cause : null
    let fields: Record<string, string> | null = shepherd?.fields ?? null
    if (zod) {
      fields = {}
      for (const issue of zod.issues) fields[issue.path.join('.') || '_'] = issue.message
    }
    return {
      ...shape,
      data: { ...shape.data, stack: undefined, shepherdCode: shepherd?.code ?? null, fields }
    }
  }
})

/** Turns ShepherdErrors thrown by services into TRPCErrors with the mapped code. */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next()
  if (!result.ok) {
    const cause = result.error.cause
    if (cause instanceof ShepherdError) {
      throw new TRPCError({ code: CODE_MAP[cause.code], message: cause.message, cause })
    }
  }
  return result
})

export const router = t.router
export const procedure = t.procedure.use(mapErrors)
export const createCallerFactory = t.createCallerFactory
