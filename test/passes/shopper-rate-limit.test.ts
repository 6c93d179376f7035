/** Bad shopper links stay rate limited, and a browser gets the 429 as a friendly HTML page. */
import request from 'supertest';
import { type PassHarness, startPassHarness } from './pass-harness.js';

let h: PassHarness;
beforeAll(async () => {
  h = await startPassHarness({ rateLimits: { authFailures: 3, authWindowSeconds: 60 } });
});
afterAll(() => h.close());

it('answers 429 with Retry-After as HTML after too many bad links', async () => {
  const statuses: number[] = [];
  let last: request.Response | undefined;
  for (let i = 0; i < 5; i++) {
    last = await request(h.app).get(`/passes/forged.token${i}/card.png`).set('Accept', 'text/html');
    statuses.push(last.status);
  }
  expect(statuses).toContain(429);
  expect(last?.status).toBe(429);
  expect(last?.headers['retry-after']).toBeDefined();
  expect(last?.headers['content-type']).toMatch(/text\/html/);
  expect(last?.text).toContain('Please wait a moment');
});
