/**
 * What a file-changing tool call would do, as diff lines, for the approval card: the user should
 * see the change before allowing it, not dig through JSON. Knows each agent's shapes:
 * Claude Code `Write` / `Edit` / `MultiEdit`, Codex `changes[]` (content for an added file, a
 * unified diff for an update), OpenCode / ACP `filePath` + `content` or `oldString` / `newString`,
 * and any input carrying a unified `diff`. Anything else: null (the card shows the input as JSON).
 */

export interface DiffLine {
  sign: '+' | '-' | ' ' | '@'
  text: string
}

export interface FileChange {
  path: string | null
  /** `add`, `update`, `delete` when the agent says so. */
  kind: string | null
  lines: DiffLine[]
}

/**
 * Lines shown per preview (the box scrolls). Only a change longer than this is cut, with a note
 * saying so (the full input stays one click away); it bounds the DOM for a 100k-line file.
 */
export const PREVIEW_MAX_LINES = 5_000

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null)

export function changePreview(inputJson: string | null): { changes: FileChange[]; cut: boolean } | null {
  let input: unknown
  try {
    input = inputJson ? JSON.parse(inputJson) : null
  } catch {
    return null
  }
  if (!isObj(input)) return null
  const changes = changesOf(input)
  if (!changes || changes.length === 0) return null
  let budget = PREVIEW_MAX_LINES
  let cut = false
  for (const c of changes) {
    if (c.lines.length > budget) {
      c.lines = c.lines.slice(0, Math.max(0, budget))
      cut = true
    }
    budget -= c.lines.length
  }
  return { changes, cut }
}

function changesOf(input: Obj): FileChange[] | null {
  const path = str(input.file_path) ?? str(input.filePath) ?? str(input.filepath) ?? str(input.path)
  // Codex: { changes: [{ path, kind: { type }, diff }] }
  if (Array.isArray(input.changes)) {
    return input.changes.filter(isObj).map((c) => {
      const kind = isObj(c.kind) ? str(c.kind.type) : str(c.kind)
      const diff = str(c.diff) ?? ''
      return { path: str(c.path), kind, lines: kind === 'add' ? added(diff) : kind === 'delete' ? removed(diff) : unified(diff) }
    })
  }
  // Claude MultiEdit: { file_path, edits: [{ old_string, new_string }] }
  if (Array.isArray(input.edits)) {
    const lines = input.edits
      .filter(isObj)
      .flatMap((e, i) => [
        ...(i > 0 ? [{ sign: '@' as const, text: '…' }] : []),
        ...replaced(str(e.old_string) ?? str(e.oldString) ?? '', str(e.new_string) ?? str(e.newString) ?? '')
      ])
    return [{ path, kind: 'update', lines }]
  }
  const oldText = str(input.old_string) ?? str(input.oldString) ?? str(input.oldText)
  const newText = str(input.new_string) ?? str(input.newString) ?? str(input.newText)
  if (newText !== null) return [{ path, kind: oldText ? 'update' : 'add', lines: replaced(oldText ?? '', newText) }]
  const diff = str(input.diff)
  if (diff !== null) return [{ path, kind: 'update', lines: unified(diff) }]
  const content = str(input.content)
  if (content !== null && path !== null) return [{ path, kind: 'add', lines: added(content) }]
  return null
}

function splitLines(text: string): string[] {
  if (text === '') return []
  const lines = text.split('\n')
  if (lines.at(-1) === '') lines.pop() // a trailing newline is not an extra empty line
  return lines
}

const added = (text: string): DiffLine[] => splitLines(text).map((t) => ({ sign: '+', text: t }))
const removed = (text: string): DiffLine[] => splitLines(text).map((t) => ({ sign: '-', text: t }))
const replaced = (oldText: string, newText: string): DiffLine[] => [...removed(oldText), ...added(newText)]

/**
 * A unified diff without its file headers; hunk headers become `@` lines. Inside a hunk every line
 * is content, counted against the hunk header's line counts: a removed line that reads `-- x` is
 * `--- x` in the diff and must not be taken for a file header (nor `+++` for an added `++`).
 * Headers (`diff`, `index`, `---`, `+++`, …) are skipped only between hunks.
 */
function unified(diff: string): DiffLine[] {
  const out: DiffLine[] = []
  let oldLeft = 0
  let newLeft = 0
  let sawHunk = false
  for (const line of splitLines(diff)) {
    const inHunk = oldLeft > 0 || newLeft > 0
    if (!inHunk) {
      const hunk = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/.exec(line)
      if (hunk) {
        oldLeft = hunk[1] === undefined ? 1 : Number(hunk[1])
        newLeft = hunk[2] === undefined ? 1 : Number(hunk[2])
        sawHunk = true
        out.push({ sign: '@', text: line })
        continue
      }
      if (line.startsWith('@@')) {
        out.push({ sign: '@', text: line }) // a hunk header without counts: content follows, uncounted
        sawHunk = false
        continue
      }
      if (sawHunk || out.length === 0) {
        if (/^(diff |index |--- |\+\+\+ |new file mode|deleted file mode|old mode|new mode|similarity index|rename |Binary files)/.test(line)) continue
      }
      if (line.startsWith('\\')) continue // "\ No newline at end of file"
      // Outside a counted hunk (a diff without counts): signs as they come.
      if (line.startsWith('+')) out.push({ sign: '+', text: line.slice(1) })
      else if (line.startsWith('-')) out.push({ sign: '-', text: line.slice(1) })
      else out.push({ sign: ' ', text: line.startsWith(' ') ? line.slice(1) : line })
      continue
    }
    if (line.startsWith('\\')) continue
    if (line.startsWith('+')) {
      out.push({ sign: '+', text: line.slice(1) })
      newLeft--
    } else if (line.startsWith('-')) {
      out.push({ sign: '-', text: line.slice(1) })
      oldLeft--
    } else {
      out.push({ sign: ' ', text: line.startsWith(' ') ? line.slice(1) : line })
      oldLeft--
      newLeft--
    }
  }
  return out
}
