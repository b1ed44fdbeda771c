import type { Migration } from './index'

/**
 * Full-text search (issue 15) and archived sessions.
 *
 * `messages_fts` is an FTS5 index over `messages` (external content: the text is stored once, in
 * `messages`; the index holds only tokens). Triggers keep it in the same transaction as the rows it
 * covers, so a message is searchable exactly when it is committed and a crash cannot leave the index
 * behind its table. Tokenizer: see docs/search.md.
 *
 * Rows that existed before this migration are indexed after open, in the background, in chunks
 * (src-main/search/backfill.ts): the migration itself only records how far that has to go
 * (`search_state.upto` = the highest rowid now), so it is instant even on a 1M-message database.
 * Until the backfill has passed a row, deleting it must not tell FTS5 to remove what it never
 * indexed (that corrupts an external-content index): the delete trigger checks `search_state`.
 */
export const m0002Search: Migration = {
  version: 2,
  name: '0002-search',
  up(db) {
    db.exec(`
      ALTER TABLE sessions ADD COLUMN archived INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX sessions_project_activity ON sessions(project_id, last_activity_at);

      CREATE VIRTUAL TABLE messages_fts USING fts5(
        text, tool_input, tool_path,
        content = 'messages', content_rowid = 'rowid',
        tokenize = "unicode61 remove_diacritics 2"
      );

      -- One row: rows with rowid <= upto predate the index; those <= done are indexed already.
      CREATE TABLE search_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        upto INTEGER NOT NULL,
        done INTEGER NOT NULL,
        started_at INTEGER NOT NULL,
        finished_at INTEGER
      ) STRICT;
      INSERT INTO search_state (id, upto, done, started_at, finished_at)
        SELECT 1, COALESCE(MAX(rowid), 0), 0, CAST(unixepoch('subsec') * 1000 AS INTEGER),
               CASE WHEN MAX(rowid) IS NULL THEN CAST(unixepoch('subsec') * 1000 AS INTEGER) END
        FROM messages;

      CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts (rowid, text, tool_input, tool_path) VALUES (new.rowid, new.text, new.tool_input, new.tool_path);
      END;
      CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
        WHEN old.rowid > (SELECT upto FROM search_state) OR old.rowid <= (SELECT done FROM search_state)
      BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, text, tool_input, tool_path) VALUES ('delete', old.rowid, old.text, old.tool_input, old.tool_path);
      END;
      CREATE TRIGGER messages_fts_update AFTER UPDATE OF text, tool_input, tool_path ON messages
        WHEN old.rowid > (SELECT upto FROM search_state) OR old.rowid <= (SELECT done FROM search_state)
      BEGIN
        INSERT INTO messages_fts (messages_fts, rowid, text, tool_input, tool_path) VALUES ('delete', old.rowid, old.text, old.tool_input, old.tool_path);
        INSERT INTO messages_fts (rowid, text, tool_input, tool_path) VALUES (new.rowid, new.text, new.tool_input, new.tool_path);
      END;
    `)
  }
}
