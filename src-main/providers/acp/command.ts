/**
 * The ACP agent's command line (Settings → ACP → command): argv with the binary first, e.g.
 * `['opencode', 'acp']`, `['gemini', '--experimental-acp']`, `['goose', 'acp']`.
 *
 * Never run through a shell. A command string typed by the user is split here with plain quoting
 * rules ('…', "…", backslash) and nothing else: `|`, `;`, `&`, `<`, `>`, `$`, backticks, `(`, `)`
 * outside quotes are refused (they would mean something only to a shell we do not run); inside
 * quotes they are ordinary characters passed as-is. The binary is an absolute path or a bare name
 * looked up on PATH (`detect`), never a relative path (it would depend on our own cwd).
 */
import path from 'node:path'
import { z } from 'zod'

export const ACP_COMMAND_MAX_ARGS = 64
export const ACP_COMMAND_MAX_ARG_CHARS = 4096

/** Characters a user would only type expecting a shell to interpret them. */
const SHELL_ONLY = new Set(['|', ';', '&', '<', '>', '$', '`', '(', ')'])
const BARE_NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9._+-]*$/

export class AcpCommandError extends Error {}

/** Split a command line into argv without a shell (see the file comment). Throws AcpCommandError. */
export function parseAcpCommandLine(line: string): string[] {
  const argv: string[] = []
  let cur = ''
  let inArg = false
  let quote: "'" | '"' | null = null
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string
    if (quote === "'") {
      if (ch === "'") quote = null
      else cur += ch
      continue
    }
    if (quote === '"') {
      if (ch === '"') quote = null
      else if (ch === '\\' && i + 1 < line.length && ['"', '\\'].includes(line[i + 1] as string)) cur += line[++i]
      else cur += ch
      continue
    }
    if (ch === "'" || ch === '"') {
      quote = ch
      inArg = true
    } else if (ch === '\\') {
      if (i + 1 >= line.length) throw new AcpCommandError('The command ends with a lone backslash')
      cur += line[++i]
      inArg = true
    } else if (/\s/.test(ch)) {
      if (inArg) argv.push(cur)
      cur = ''
      inArg = false
    } else if (SHELL_ONLY.has(ch)) {
      throw new AcpCommandError(`“${ch}” needs a shell, and Shepherd starts the agent without one: quote it to pass it literally`)
    } else {
      cur += ch
      inArg = true
    }
  }
  if (quote) throw new AcpCommandError(`Unclosed ${quote === '"' ? 'double' : 'single'} quote`)
  if (inArg) argv.push(cur)
  return argv
}

function isAbsoluteAnyPlatform(p: string): boolean {
  return path.posix.isAbsolute(p) || /^[A-Za-z]:[\\/]/.test(p)
}

/** Why argv is unusable, or null. */
export function acpCommandProblem(argv: readonly string[]): string | null {
  if (argv.length === 0) return 'Enter the command that starts the agent in ACP mode, e.g. “opencode acp”'
  if (argv.length > ACP_COMMAND_MAX_ARGS) return `At most ${ACP_COMMAND_MAX_ARGS} arguments`
  for (const a of argv) {
    if (a.includes('\0')) return 'Arguments must not contain NUL characters'
    if (/[\r\n]/.test(a)) return 'Arguments must not contain line breaks'
    if (a.length > ACP_COMMAND_MAX_ARG_CHARS) return `Arguments are limited to ${ACP_COMMAND_MAX_ARG_CHARS} characters`
  }
  const bin = argv[0] as string
  if (!isAbsoluteAnyPlatform(bin) && !BARE_NAME_RE.test(bin)) {
    return 'The program must be an absolute path or a plain name found on PATH (no relative paths)'
  }
  return null
}

/** Settings value: argv, or a command string split without a shell. */
export const acpCommandSchema = z.union([z.array(z.string()), z.string().max(ACP_COMMAND_MAX_ARGS * 64)]).transform((v, ctx) => {
  let argv: string[]
  try {
    argv = typeof v === 'string' ? parseAcpCommandLine(v) : v
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message })
    return z.NEVER
  }
  const problem = acpCommandProblem(argv)
  if (problem) {
    ctx.addIssue({ code: 'custom', message: problem })
    return z.NEVER
  }
  return argv
})

/** Join argv for display (quotes only where needed). */
export function formatAcpCommand(argv: readonly string[]): string {
  return argv.map((a) => (a !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ')
}
