import type { Migration } from './index'

/**
 * Questions and forms agents ask the user (issue 13): Codex's request_user_input, MCP elicitation
 * forms from Codex, Claude Code and ACP agents. Kept like approvals so a pending one survives a
 * renderer reload and shows in the inbox; `fields` is the normalized form (JSON), `answer` what was sent.
 */
export const m0006Questions: Migration = {
  version: 6,
  name: '0006-questions',
  up(db) {
    db.exec(`
      CREATE TABLE questions (
        id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        request_id TEXT NOT NULL,
        source TEXT NOT NULL,
        title TEXT NOT NULL,
        message TEXT,
        fields TEXT NOT NULL,
        can_decline INTEGER NOT NULL,
        status TEXT NOT NULL,
        answer TEXT,
        created_at INTEGER NOT NULL,
        decided_at INTEGER
      ) STRICT;
      CREATE INDEX questions_session ON questions(session_id, status);
    `)
  }
}
