/**
 * Address classes and the configuration that allows them; IPv6 forms embedding an IPv4 address
 * and other spellings of one, refused at subscribe time and on connection; the sender's timeout on
 * a real socket.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { loadConfig } from '../../src/config.js';
import {
  addressAllowed,
  classifyAddress,
  ipv6Groups,
} from '../../src/integrations/webhooks/address-policy.js';
import { HttpWebhookSender } from '../../src/integrations/webhooks/http-webhook-sender.js';
import { ALL_EVENTS, createProgram, startWebhookHarness, type WebhookHarness } from './webhook-harness.js';

describe('address policy', () => {
  it.each([
    ['8.8.8.8', 'public'],
    ['1.1.1.1', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.10.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'private'],
    ['100.64.0.1', 'private'],
    ['100.127.255.254', 'private'],
    ['0.0.0.0', 'private'],
    ['::', 'private'],
    ['fd12:3456::1', 'private'],
    ['fe80::1', 'private'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:a00:1', 'private'],
    ['64:ff9b::a9fe:a9fe', 'private'],
    ['224.0.0.1', 'private'],
    ['255.255.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['100.128.0.1', 'public'],
    ['192.88.99.1', 'private'], // 6to4 relay anycast
    // IPv4-compatible ::/96 (the URL parser writes ::127.0.0.1 as ::7f00:1)
    ['::127.0.0.1', 'loopback'],
    ['::7f00:1', 'loopback'],
    ['::a00:1', 'private'],
    ['::2', 'private'],
    ['::808:808', 'public'],
    // IPv4-mapped ::ffff:0:0/96, every spelling
    ['::ffff:7f00:1', 'loopback'],
    ['0:0:0:0:0:ffff:7f00:1', 'loopback'],
    ['0000:0000:0000:0000:0000:FFFF:7F00:0001', 'loopback'],
    ['::ffff:169.254.169.254', 'private'],
    ['::ffff:8.8.8.8', 'public'],
    // SIIT ::ffff:0:0:0/96: judged by its IPv4 address, and never public (not global unicast)
    ['::ffff:0:7f00:1', 'private'],
    ['::ffff:0:808:808', 'private'],
    // NAT64 64:ff9b::/96 by its IPv4 address; the local-use 64:ff9b:1::/48 is never public
    ['64:ff9b::127.0.0.1', 'private'],
    ['64:ff9b::7f00:1', 'private'],
    ['64:ff9b::808:808', 'public'],
    ['64:ff9b:1::808:808', 'private'],
    ['64:ff9b:1:ffff::a00:1', 'private'],
    // 6to4 2002::/16: the IPv4 address is bits 16–47
    ['2002:7f00:1::', 'private'],
    ['2002:7f00:0001:0000:0000:0000:0000:0001', 'private'],
    ['2002:a9fe:a9fe::1', 'private'],
    ['2002:c0a8:101::', 'private'],
    ['2002:808:808::1', 'public'],
    // Teredo 2001::/32: server bits 32–63, client the last 32 bits XOR ffff:ffff
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'private'], // RFC 4380's client 192.0.2.45
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'private'], // client 127.0.0.1
    ['2001:0:4136:e378:8000:63bf:f5ff:fffe', 'private'], // client 10.0.0.1
    ['2001:0:a00:1:8000:63bf:f7f7:f7f7', 'private'], // server 10.0.0.1
    ['2001:0:4136:e378:8000:63bf:f7f7:f7f7', 'public'], // server 65.54.227.120, client 8.8.8.8
    // ISATAP interface ids (…:0:5efe:a.b.c.d, …:200:5efe:a.b.c.d) under a global prefix
    ['2606:4700:1::5efe:7f00:1', 'private'],
    ['2606:4700:1:0:200:5efe:a9fe:a9fe', 'private'],
    ['2606:4700:1:0:200:5efe:808:808', 'public'],
    // Other non-global IPv6 ranges
    ['fec0::1', 'private'], // site-local
    ['100::1', 'private'], // discard
    ['2001:db8::1', 'private'],
    ['3fff::1', 'private'],
    ['2001:2::1', 'private'], // benchmarking (IETF protocol assignments)
    ['ff02::1', 'private'],
    ['fe80::1%eth0', 'private'],
    ['1::1', 'private'], // outside 2000::/3
    ['4000::1', 'private'],
    ['2a00:1450:4001:81d::200e', 'public'],
    ['not an address', 'private'],
  ])('%s is %s', (ip, kind) => {
    expect(classifyAddress(ip)).toBe(kind);
  });

  it.each([
    ['::', [0, 0, 0, 0, 0, 0, 0, 0]],
    ['::1', [0, 0, 0, 0, 0, 0, 0, 1]],
    ['::ffff:1.2.3.4', [0, 0, 0, 0, 0, 0xffff, 0x102, 0x304]],
    ['2002:7f00:1::', [0x2002, 0x7f00, 1, 0, 0, 0, 0, 0]],
    ['1:2:3:4:5:6:7:8', [1, 2, 3, 4, 5, 6, 7, 8]],
    ['1::8', [1, 0, 0, 0, 0, 0, 0, 8]],
    ['1:2:3:4:5:6:7::', [1, 2, 3, 4, 5, 6, 7, 0]],
  ])('reads the groups of %s', (ip, groups) => {
    expect(ipv6Groups(ip)).toEqual(groups);
  });

  it.each(['1:2:3:4:5:6:7:8:9', '1::2::3', '1:2:3', '::1.2.3.256', '12345::', ':::'])(
    'rejects %s as an IPv6 address',
    (ip) => {
      expect(ipv6Groups(ip)).toBeNull();
    },
  );

  it('allows loopback and private addresses only when configured', () => {
    const none = { allowLoopback: false, allowPrivate: false };
    expect(addressAllowed('8.8.8.8', none)).toBe(true);
    expect(addressAllowed('127.0.0.1', none)).toBe(false);
    expect(addressAllowed('127.0.0.1', { allowLoopback: true, allowPrivate: false })).toBe(true);
    expect(addressAllowed('10.0.0.1', { allowLoopback: true, allowPrivate: false })).toBe(false);
    expect(addressAllowed('10.0.0.1', { allowLoopback: false, allowPrivate: true })).toBe(true);
    expect(addressAllowed('::1', { allowLoopback: false, allowPrivate: true })).toBe(true);
  });

  it('reads WEBHOOK_* from the environment, refusing bad values', () => {
    expect(loadConfig({}).webhooks).toEqual({
      policy: { allowLoopback: false, allowPrivate: false },
      timeoutMs: 10_000,
    });
    expect(
      loadConfig({
        WEBHOOK_ALLOW_LOOPBACK_URLS: 'true',
        WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
        WEBHOOK_TIMEOUT_MS: '2500',
      }).webhooks,
    ).toEqual({ policy: { allowLoopback: true, allowPrivate: true }, timeoutMs: 2500 });
    expect(() => loadConfig({ WEBHOOK_ALLOW_PRIVATE_URLS: 'yes' })).toThrow(/WEBHOOK_ALLOW_PRIVATE_URLS/);
    expect(() => loadConfig({ WEBHOOK_TIMEOUT_MS: '5' })).toThrow(/WEBHOOK_TIMEOUT_MS/);
  });
});

/** URLs that name an internal address in another spelling; the URL parser normalises the IPv4 ones. */
const DISGUISED_URLS = [
  'http://[::127.0.0.1]/',
  'http://[2002:7f00:1::]/',
  'http://[::ffff:127.0.0.1]/',
  'http://[0:0:0:0:0:ffff:7f00:1]/',
  'http://[::ffff:0:127.0.0.1]/',
  'http://[64:ff9b::169.254.169.254]/latest',
  'http://[64:ff9b:1::a00:1]/',
  'http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/',
  'http://[2606:4700:1::5efe:127.0.0.1]/',
  'http://[fec0::1]/',
  'http://2130706433/',
  'http://0x7f.1/',
  'http://0177.0.0.1/',
  'http://127.1/',
  'http://0x7f000001/',
  'http://%31%32%37.0.0.1/',
  'http://１２７.0.0.1/',
  'http://0xa9.0xfe.0xa9.0xfe/latest',
];

describe('disguised internal addresses', () => {
  let h: WebhookHarness;
  beforeAll(async () => {
    h = await startWebhookHarness();
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it.each(DISGUISED_URLS)('refuses %s at subscribe time, writing nothing', async (url) => {
    const strict = h.another({ policy: { allowLoopback: false, allowPrivate: false } });
    const { auth } = await createProgram(strict);
    const res = await request(strict.app).post('/v1/webhooks').set(auth).send({ url, events: ALL_EVENTS });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('webhook_url_not_allowed');
    expect((await request(strict.app).get('/v1/webhooks').set(auth)).body.data).toEqual([]);
  });

  it.each(DISGUISED_URLS)('refuses %s on connection', async (url) => {
    const strict = new HttpWebhookSender({ policy: { allowLoopback: false, allowPrivate: false } });
    try {
      await expect(strict.post(url, '{}', {})).rejects.toMatchObject({
        name: 'AddressRefused',
        reason: 'not_allowed',
      });
    } finally {
      strict.close();
    }
  });

  it('lets the loopback setting reach only the forms that are this host', async () => {
    const loopbackOnly = { allowLoopback: true, allowPrivate: false };
    expect(addressAllowed('::ffff:7f00:1', loopbackOnly)).toBe(true);
    expect(addressAllowed('::7f00:1', loopbackOnly)).toBe(true);
    // Through 6to4, NAT64 or Teredo 127.0.0.1 is someone else's loopback: private, not loopback.
    expect(addressAllowed('2002:7f00:1::', loopbackOnly)).toBe(false);
    expect(addressAllowed('64:ff9b::7f00:1', loopbackOnly)).toBe(false);
    expect(addressAllowed('2002:7f00:1::', { allowLoopback: false, allowPrivate: true })).toBe(true);
  });
});

describe('HttpWebhookSender', () => {
  it('gives up on a receiver that does not answer within the timeout, and reports any status', async () => {
    let hang = true;
    const server = http.createServer((req, res) => {
      req.resume();
      if (!hang) res.writeHead(418).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
    const sender = new HttpWebhookSender({
      policy: { allowLoopback: true, allowPrivate: false },
      timeoutMs: 300,
    });
    try {
      // The hanging receiver never answers: only the sender's own timeout can end this.
      await expect(sender.post(url, '{}', {})).rejects.toThrow(/no answer within 300 ms/);
      hang = false;
      await expect(sender.post(url, '{}', {})).resolves.toEqual({ status: 418 });
      const strict = new HttpWebhookSender({ policy: { allowLoopback: false, allowPrivate: false } });
      await expect(strict.post(url, '{}', {})).rejects.toThrow(/loopback/);
      await expect(strict.post(url.replace('127.0.0.1', 'localhost'), '{}', {})).rejects.toThrow(/loopback/);
      strict.close();
    } finally {
      sender.close();
      server.closeAllConnections();
      server.close();
    }
  });
});
