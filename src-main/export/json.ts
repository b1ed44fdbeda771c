/**
 * JSON export: `{format, version, exportedAt, snapshot, project, session (metadata and totals),
 * messages: [every row as stored]}`, written message by message so a big session never sits in memory
 * as one string. `version` changes when the shape does.
 */
import type { MessageRow } from '../store/rows'
import { sessionToDTO, projectToDTO } from '../store/rows'
import type { ExportSnapshot } from './snapshot'

export const JSON_EXPORT_VERSION = 1

export function* jsonChunks(snap: ExportSnapshot, rows: Iterable<MessageRow>): Generator<string> {
  const head = {
    format: 'shepherd-session',
    version: JSON_EXPORT_VERSION,
    exportedAt: new Date(snap.exportedAt).toISOString(),
    snapshot: { upToSeq: snap.upToSeq, messageCount: snap.messageCount, running: snap.running },
    project: projectToDTO(snap.project),
    session: { ...sessionToDTO(snap.session), systemPrompt: snap.session.system_prompt }
  }
  const open = JSON.stringify(head, null, 2)
  yield `${open.slice(0, -2)},\n  "messages": [`
  let first = true
  for (const m of rows) {
    yield `${first ? '\n' : ',\n'}    ${JSON.stringify({
      seq: m.seq,
      kind: m.kind,
      text: m.text,
      toolName: m.tool_name,
      toolInput: m.tool_input,
      toolPath: m.tool_path,
      toolUseId: m.tool_use_id,
      parentId: m.parent_id,
      isError: m.is_error === 1,
      createdAt: m.created_at
    })}`
    first = false
  }
  yield `${first ? '' : '\n  '}]\n}\n`
}
