// Types for scripts/install-test-agents.mjs (imported by test/install-test-agents.test.ts).
export const TEST_AGENTS_DIR: string
export const NATIVE_LAUNCHERS: Record<string, string>
export function pinnedTestAgents(dir?: string): Record<string, string>
export function outdatedTestAgents(dir?: string): string[]
export function missingNativeBinaries(dir?: string): string[]
export function ensureTestAgents(options?: { quiet?: boolean; dir?: string }): { installed: boolean }
