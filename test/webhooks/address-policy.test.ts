/** Address classes and the configuration that allows them; the sender's timeout on a real socket. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config.js';
import { addressAllowed, classifyAddress } from '../../src/integrations/webhooks/address-policy.js';
import { HttpWebhookSender } from '../../src/integrations/webhooks/http-webhook-sender.js';

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
  ])('%s is %s', (ip, kind) => {
    expect(classifyAddress(ip)).toBe(kind);
  });

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
      const started = Date.now();
      await expect(sender.post(url, '{}', {})).rejects.toThrow(/no answer within 300 ms/);
      expect(Date.now() - started).toBeLessThan(2000);
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
