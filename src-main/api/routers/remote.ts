/** Projects on SSH hosts (issue 17): the host check, host-key acceptance, per-host connection status. */
import { z } from 'zod'
import { procedure, router } from '../trpc'

/** `host:/path`, `user@host:port:/path`; parsed and refused with a reason by src-main/remote/location.ts. */
const locationSchema = z.string().trim().min(3).max(4096)

export const remoteRouter = router({
  check: procedure.input(z.object({ location: locationSchema }).strict()).mutation(({ ctx, input }) => ctx.remote.check(input.location)),
  acceptHostKey: procedure
    .input(z.object({ location: locationSchema, fingerprint: z.string().min(1).max(500) }).strict())
    .mutation(({ ctx, input }) => ctx.remote.acceptHostKey(input.location, input.fingerprint)),
  hosts: procedure.query(({ ctx }) => ctx.remote.statuses()),
  configHosts: procedure.query(({ ctx }) => ctx.remote.configHosts())
})
