/** After startup: what Shepherd found when it compared its worktree records with `git worktree list`. */
import { api } from '../lib/api/client'
import { toasts } from '../toasts/toasts.svelte'

export async function showWorktreeFindings(): Promise<void> {
  // The reconcile runs in the background at startup; give it a moment before asking.
  await new Promise((r) => setTimeout(r, 1500))
  const found = await api.worktrees.findings.query().catch(() => [])
  if (!found.length) return
  toasts.push({
    kind: 'warning',
    title: `Worktrees: ${found.length} ${found.length === 1 ? 'thing' : 'things'} changed outside Shepherd`,
    body:
      found
        .slice(0, 5)
        .map((f) => `“${f.title}”: ${f.what}`)
        .join('\n') + (found.length > 5 ? `\n…and ${found.length - 5} more` : '')
  })
}
