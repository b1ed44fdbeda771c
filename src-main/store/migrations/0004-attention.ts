import type { Migration } from './index'

/**
 * Attention and spend (issue 16): the daily usage ledger by project/agent/model in the user's local
 * day, budget caps and per-session budget state, inbox marks (done/snooze/seen) and what needs the
 * user after a turn, and agents' usage-limit windows with sessions waiting for a reset.
 */
export const m0004Attention: Migration = {
  version: 4,
  name: '0004-attention',
  up(db) {
    db.exec(`
      -- One row per local day (the host's time zone), project, agent and model; updated on every cost
      -- event (group commit), read by the usage view instead of scanning messages. Kept when sessions go.
      CREATE TABLE usage_daily (
        day TEXT NOT NULL,
        project_id TEXT NOT NULL,
        provider TEXT NOT NULL,
        model TEXT NOT NULL DEFAULT '',
        cost_usd REAL NOT NULL DEFAULT 0,
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        -- Tokens of agents that report no cost (Codex): what token caps count.
        uncosted_tokens INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (day, project_id, provider, model)
      ) STRICT, WITHOUT ROWID;
      -- History before this migration: each session's totals on the local day of its last activity.
      INSERT INTO usage_daily (day, project_id, provider, model, cost_usd, input_tokens, output_tokens, uncosted_tokens)
        SELECT date(last_activity_at / 1000, 'unixepoch', 'localtime'), project_id, provider, coalesce(model, ''),
          sum(cost_usd), sum(input_tokens), sum(output_tokens), sum(CASE WHEN cost_known = 0 THEN input_tokens + output_tokens ELSE 0 END)
        FROM sessions WHERE cost_usd > 0 OR input_tokens > 0 OR output_tokens > 0
        GROUP BY 1, 2, 3, 4;

      -- The session totals already counted into the ledger: the next cost event adds only the difference,
      -- in the same transaction, so a crash never counts a cost twice or loses it.
      CREATE TABLE usage_counted (
        session_id TEXT PRIMARY KEY,
        cost_usd REAL NOT NULL,
        tokens INTEGER NOT NULL
      ) STRICT;
      INSERT INTO usage_counted (session_id, cost_usd, tokens) SELECT id, cost_usd, input_tokens + output_tokens FROM sessions;

      -- Budget caps: scope 'global' or 'project:<id>', a JSON object validated by the budgets service.
      CREATE TABLE budgets (
        scope TEXT PRIMARY KEY,
        config TEXT NOT NULL
      ) STRICT;

      -- Per session: cap raised by the user, one-more-turn allowance, paused-at-cap state, warnings given.
      CREATE TABLE session_budget (
        session_id TEXT PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
        extra_usd REAL NOT NULL DEFAULT 0,
        extra_tokens INTEGER NOT NULL DEFAULT 0,
        allow_turn INTEGER NOT NULL DEFAULT 0,
        held INTEGER NOT NULL DEFAULT 0,
        held_reason TEXT,
        held_at INTEGER,
        warned TEXT NOT NULL DEFAULT '[]'
      ) STRICT;

      -- What needs the user after a turn: finished (not looked at), failed, a budget warning.
      CREATE TABLE attention (
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        kind TEXT NOT NULL,
        at INTEGER NOT NULL,
        detail TEXT,
        PRIMARY KEY (session_id, kind)
      ) STRICT;

      -- Inbox marks by item key: done (cleared) or snoozed until a time. Survive restarts.
      CREATE TABLE inbox_marks (
        key TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        until INTEGER,
        at INTEGER NOT NULL
      ) STRICT;

      -- Usage-limit windows reported by the agents (Claude rate_limit_event, Codex account/rateLimits/updated).
      CREATE TABLE usage_limits (
        provider TEXT NOT NULL,
        window TEXT NOT NULL,
        status TEXT NOT NULL,
        utilization REAL,
        resets_at INTEGER,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (provider, window)
      ) STRICT;

      -- Sessions stopped by a usage limit: "waiting for limit reset", optional automatic resume.
      CREATE TABLE limit_waits (
        session_id TEXT PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
        provider TEXT NOT NULL,
        resets_at INTEGER,
        prompt TEXT,
        auto_resume INTEGER NOT NULL DEFAULT 0,
        at INTEGER NOT NULL
      ) STRICT;
    `)
  }
}
