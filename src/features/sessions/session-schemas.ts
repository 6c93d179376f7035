/** Request and response shapes of the console session endpoints. */
import { z } from 'zod';
import { programView } from '../programs/program-schemas.js';

export const signInBody = z.strictObject({
  apiKey: z.string().trim().min(1, 'enter the program API key').max(200).describe('The program API key'),
});

export const sessionViewSchema = z.object({
  program: programView,
  csrfToken: z.string().describe('Send as X-CSRF-Token on every write made with the session cookie'),
  expiresAt: z.string().describe('When the session ends (absolute, not extended by use)'),
});
