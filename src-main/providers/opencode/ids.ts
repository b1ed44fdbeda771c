/**
 * OpenCode-style ascending identifiers (`msg_` + 12 hex digits of time·4096+counter + 14 base62
 * characters), so Shepherd can name the user message of a prompt before sending it
 * (`prompt_async {messageID}`) and recognise the assistant messages that answer it. OpenCode orders
 * a session's messages by id: the time part must come from the same clock as the server's (it does:
 * the server runs on this machine) and increase monotonically within one process.
 */
import { randomBytes } from 'node:crypto'

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const RANDOM_CHARS = 14

let lastTimestamp = 0
let counter = 0

export function ascendingId(prefix: 'msg' | 'prt', now: number = Date.now()): string {
  // Never go backwards (clock adjustments): reuse the last timestamp with a higher counter.
  if (now > lastTimestamp) {
    lastTimestamp = now
    counter = 0
  }
  counter++
  const value = BigInt(lastTimestamp) * 0x1000n + BigInt(counter)
  const time = Buffer.alloc(6)
  for (let i = 0; i < 6; i++) time[i] = Number((value >> BigInt(40 - 8 * i)) & 0xffn)
  let rand = ''
  for (const byte of randomBytes(RANDOM_CHARS)) rand += BASE62[byte % 62]
  return `${prefix}_${time.toString('hex')}${rand}`
}
