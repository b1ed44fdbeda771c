/**
 * Domain errors carry a code; the API's error formatter maps them to tRPC codes so they reach the
 * client intact (`err.data.code`, plus `err.data.shepherdCode` for the precise reason).
 */
export const ERROR_CODES = [
  'NOT_FOUND',
  'CONFLICT',
  'BAD_REQUEST',
  'AGENT_NOT_FOUND',
  'SPAWN_FAILED',
  'DB_FULL',
  'DB_READONLY',
  'DB_BUSY',
  'DB_TOO_NEW',
  'UNAVAILABLE',
  /** The session's agent cannot do this (see its controls table); never silently ignored. */
  'UNSUPPORTED',
  /** A project on an SSH host could not be reached or used; `fields.reason` says why (src-main/remote/errors.ts). */
  'SSH_FAILED'
] as const
export type ShepherdErrorCode = (typeof ERROR_CODES)[number]

export class ShepherdError extends Error {
  constructor(
    readonly code: ShepherdErrorCode,
    message: string,
    /** Per-field messages for form validation (e.g. extra env keys). */
    readonly fields?: Record<string, string>
  ) {
    super(message)
    this.name = 'ShepherdError'
  }
}
