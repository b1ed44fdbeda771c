/** Reusable zod pieces with size limits: every input is bounded. */
import { z } from 'zod'
import { PERMISSION_MODES, PROVIDER_IDS } from '../shared/status'

export const idSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_-]+$/, 'invalid id')
/** Prompts can carry pasted files; 1 MB is generous and keeps one message within IPC comfort. */
export const promptSchema = z.string().min(1, 'the prompt is empty').max(1_000_000)
export const pathSchema = z.string().min(1).max(4096)
export const nameSchema = z.string().trim().min(1, 'the name cannot be empty').max(200)
/** A model name becomes a CLI argument (`--model <name>`): never starting with "-", so it cannot read as a flag. */
export const modelSchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._:/[\]@][A-Za-z0-9._:/[\]@-]*$/, 'invalid model name')
  .nullable()
export const providerSchema = z.enum(PROVIDER_IDS)
export const permissionModeSchema = z.enum(PERMISSION_MODES)
export const seqSchema = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)
export const limitSchema = z.number().int().min(1).max(1000)
