/**
 * POSIX shell quoting. Every host-side command Shepherd runs over SSH is one string the remote
 * login shell parses (ssh joins its arguments with spaces), so each argument is single-quoted here
 * and never interpolated raw: a path like `/srv/my repo; rm -rf ~` stays one literal argument.
 */

/** `it's` → `'it'\''s'`; the empty string → `''`. Safe for sh, dash, bash, zsh, ksh. */
export function shQuote(arg: string): string {
  if (arg.includes('\0')) throw new Error('a shell argument cannot contain a NUL byte')
  return `'${arg.replaceAll("'", `'\\''`)}'`
}

/** A whole command line: every argument quoted. */
export function shJoin(argv: readonly string[]): string {
  return argv.map(shQuote).join(' ')
}

/**
 * Like `shQuote`, but the result stays on one line (for the wrapper's line-based env block): a
 * newline becomes `'"$nl"'`, which the wrapper's `eval` expands back (it defines `nl`).
 */
export function shQuoteOneLine(arg: string): string {
  return shQuote(arg).replaceAll('\n', `'"$nl"'`)
}
