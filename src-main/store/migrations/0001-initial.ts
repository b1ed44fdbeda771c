import type { Migration } from './index'

/** Projects, sessions, messages, raw events, approvals, daily cost ledger, settings. */
export const m0001Initial: Migration = {
  version: 1,
  name: '0001-initial',
  up(db) {
    db.exec(`
      CREATE TABLE projects (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        path TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        stall_threshold_ms INTEGER,
        retention_count INTEGER,
        retention_days INTEGER
      ) STRICT;

      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        provider TEXT NOT NULL,
        model TEXT,
        permission_mode TEXT NOT NULL,
        cwd TEXT NOT NULL,
        title TEXT NOT NULL,
        system_prompt TEXT,
        extra_env TEXT NOT NULL DEFAULT '{}',
        status TEXT NOT NULL,
        status_reason TEXT,
        cli_session_id TEXT,
        pinned INTEGER NOT NULL DEFAULT 0,
        last_seq INTEGER NOT NULL DEFAULT 0,
        last_activity_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        ended_at INTEGER,
        cost_usd REAL NOT NULL DEFAULT 0,
        cli_cost_total REAL NOT NULL DEFAULT 0,
        cost_known INTEGER NOT NULL DEFAULT 1,
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        cache_read_tokens INTEGER NOT NULL DEFAULT 0,
        cache_write_tokens INTEGER NOT NULL DEFAULT 0,
        context_tokens INTEGER,
        context_window INTEGER,
        queued_prompts TEXT NOT NULL DEFAULT '[]',
        pid INTEGER,
        pid_start_time TEXT
      ) STRICT;
      CREATE INDEX sessions_project ON sessions(project_id, created_at);
      CREATE INDEX sessions_status ON sessions(status);

      CREATE TABLE messages (
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        text TEXT NOT NULL,
        tool_name TEXT,
        tool_input TEXT,
        tool_path TEXT,
        tool_use_id TEXT,
        parent_id TEXT,
        is_error INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (session_id, seq)
      ) STRICT;

      CREATE TABLE raw_events (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        stream TEXT NOT NULL,
        data TEXT NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX raw_events_session ON raw_events(session_id, id);

      CREATE TABLE approvals (
        id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        request_id TEXT NOT NULL,
        tool_name TEXT NOT NULL,
        input TEXT NOT NULL,
        description TEXT,
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        decided_at INTEGER
      ) STRICT;
      CREATE INDEX approvals_session ON approvals(session_id, status);

      -- Cost ledger per day, project and provider; kept when sessions are pruned.
      CREATE TABLE cost_daily (
        day TEXT NOT NULL,
        project_id TEXT NOT NULL,
        provider TEXT NOT NULL,
        cost_usd REAL NOT NULL DEFAULT 0,
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (day, project_id, provider)
      ) STRICT;

      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;
    `)
  }
}
