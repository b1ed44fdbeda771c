import type { Migration } from './index'

/**
 * Session worktrees (one row per session that has its own git worktree) and per-project worktree
 * setup. Self-contained (IF NOT EXISTS, no dependence on other feature migrations), so it applies
 * after whichever migrations precede it; its version is its place in the list (see index.ts).
 */
export const m0003Worktrees: Omit<Migration, 'version'> = {
  name: '0003-worktrees',
  up(db) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS session_worktrees (
        session_id TEXT PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
        project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        repo_path TEXT NOT NULL,
        path TEXT NOT NULL,
        branch TEXT NOT NULL,
        base_branch TEXT NOT NULL,
        -- The commit the session's changes are measured from (fork point; moved by merge and rebase).
        base_commit TEXT NOT NULL,
        -- preparing | ready | setup_failed | missing | discarded
        state TEXT NOT NULL,
        -- Branch tip at the last merge: discarding then loses nothing (a squash leaves no ancestry).
        merged_head TEXT,
        note TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX IF NOT EXISTS session_worktrees_project ON session_worktrees(project_id);

      CREATE TABLE IF NOT EXISTS project_worktree_settings (
        project_id TEXT PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
        copy_files TEXT NOT NULL DEFAULT '[]',
        setup_command TEXT,
        merge_mode TEXT NOT NULL DEFAULT 'merge'
      ) STRICT;
    `)
  }
}
