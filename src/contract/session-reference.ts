import { z } from 'zod';

/**
 * A tenant's own reference for a session: its user or case id, so that it can find the session
 * again and match webhooks to its records. Opaque to the service and bounded so that it cannot
 * carry personal data by accident: no spaces, no `@` (an e-mail address is refused), at most 128
 * characters of letters, digits and `. _ : -`.
 */
export const SESSION_REFERENCE_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export const sessionReferenceSchema = z
  .string()
  .regex(SESSION_REFERENCE_PATTERN, 'a reference is 1–128 characters of letters, digits and . _ : - (an opaque id, never a name or an e-mail address)')
  .describe("The tenant's own opaque id for this session (e.g. its user id): 1–128 of `A–Z a–z 0–9 . _ : -`. Never a name, e-mail or phone number.");
