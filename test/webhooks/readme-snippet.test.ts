/** The README's receiver verification snippet, run exactly as printed (plain Node), on real deliveries. */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import request from 'supertest';
import { signatureHeader } from '../../src/features/webhooks/webhook-bodies.js';
import type { Receiver } from './receiver.js';
import {
  closeWithReceiver,
  createProgram,
  startWithReceiver,
  subscribe,
  type WebhookHarness,
} from './webhook-harness.js';

const run = promisify(execFile);

/** The js block following the snippet marker in README.md. */
function readmeSnippet(): string {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const marker = readme.indexOf('<!-- webhook-verify-snippet');
  const block = /```js\n([\s\S]*?)```/.exec(readme.slice(marker));
  if (marker < 0 || !block?.[1]) throw new Error('README verification snippet not found');
  return block[1];
}

/** Run the snippet's function in a separate plain Node process. */
async function verify(raw: string, header: string, secret: string): Promise<boolean> {
  const code = `${readmeSnippet()}
const { raw, header, secret } = JSON.parse(process.env.INPUT);
console.log(JSON.stringify(verifyTierpassSignature(Buffer.from(raw, 'utf8'), header, secret)));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', code], {
    env: { PATH: process.env.PATH, INPUT: JSON.stringify({ raw, header, secret }) },
  });
  return JSON.parse(stdout.trim()) as boolean;
}

let h: WebhookHarness;
let receiver: Receiver;
beforeAll(async () => {
  ({ h, receiver } = await startWithReceiver());
});
afterAll(() => closeWithReceiver(h, receiver));

it('verifies a real delivery with the README snippet, and refuses tampered, foreign and stale ones', async () => {
  const { auth } = await createProgram(h);
  await request(h.app).post('/v1/tiers').set(auth).send({ title: 'Member' }).expect(201);
  const sub = await subscribe(h, auth, { url: receiver.url, events: ['tier.upgraded'] });
  await request(h.app).put('/v1/customers/snip').set(auth).send({ email: 'snip@example.com' }).expect(201);
  await h.services.webhookDispatcher.dispatch();
  const got = receiver.requests.find(
    (r) => r.body.data.customer && (r.body.data.customer as { id: string }).id === 'snip',
  );
  if (!got) throw new Error('no delivery received');
  const header = String(got.headers['tierpass-signature']);
  expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);

  expect(await verify(got.raw, header, sub.secret)).toBe(true);
  expect(await verify(got.raw.replace('snip@example.com', 'evil@example.com'), header, sub.secret)).toBe(
    false,
  );
  const other = await subscribe(h, auth, { url: receiver.url, events: ['tier.upgraded'] });
  expect(await verify(got.raw, header, other.secret)).toBe(false);
  const stale = signatureHeader(sub.secret, got.raw, Math.floor(Date.now() / 1000) - 3600);
  expect(await verify(got.raw, stale, sub.secret)).toBe(false);
  expect(await verify(got.raw, 'v1=abc', sub.secret)).toBe(false);
});

it('verifies a delivery during a secret rotation with the old and the new secret alike', async () => {
  const { auth } = await createProgram(h);
  await request(h.app).post('/v1/tiers').set(auth).send({ title: 'Member' }).expect(201);
  const sub = await subscribe(h, auth, { url: receiver.url, events: ['tier.upgraded'] });
  const rotated = await request(h.app)
    .post(`/v1/webhooks/${sub.id}/rotate-secret`)
    .set(auth)
    .send({ overlapHours: 1 })
    .expect(200);
  await request(h.app).put('/v1/customers/snip-rotated').set(auth).send({}).expect(201);
  await h.services.webhookDispatcher.dispatch();
  const got = receiver.requests.find(
    (r) => r.body.data.customer && (r.body.data.customer as { id: string }).id === 'snip-rotated',
  );
  if (!got) throw new Error('no delivery received');
  const header = String(got.headers['tierpass-signature']);
  expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
  expect(await verify(got.raw, header, rotated.body.secret)).toBe(true);
  expect(await verify(got.raw, header, sub.secret)).toBe(true);
  const other = await subscribe(h, auth, { url: receiver.url, events: ['tier.upgraded'] });
  expect(await verify(got.raw, header, other.secret)).toBe(false);
});
