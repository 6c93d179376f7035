/** PushSender over APNs with @parse/node-apn (certificate authentication, HTTP/2). */
import { Notification, Provider, type ResponseFailure } from '@parse/node-apn';
import type { PushOutcome, PushSender } from './push-sender.js';

export interface ApnsOptions {
  /** APNs client certificate (PEM) carrying Apple's push OIDs. */
  cert: string | Buffer;
  /** Its private key (PEM). */
  key: string | Buffer;
  /** Production (api.push.apple.com) or sandbox. */
  production: boolean;
  /** Another server (a local stand-in); node-apn then runs in sandbox mode. */
  address?: string;
  /** Port of `address` (443 by default). */
  port?: number;
  /** Extra trusted CAs (PEM), for a stand-in's certificate. */
  ca?: (string | Buffer)[];
}

/** Reasons meaning the token will never work again (Apple: remove the registration). */
const GONE = new Set(['Unregistered', 'BadDeviceToken', 'DeviceTokenNotForTopic', 'ExpiredToken']);

function classify(f: ResponseFailure): 'invalid' | 'retry' | 'rejected' {
  const status = f.status === undefined ? undefined : Number(f.status);
  if (status === 410 || GONE.has(f.response?.reason ?? '')) return 'invalid';
  if (status === undefined || status === 429 || status >= 500) return 'retry';
  return 'rejected';
}

export class ApnsPushSender implements PushSender {
  private readonly provider: Provider;

  constructor(options: ApnsOptions) {
    this.provider = new Provider({
      cert: options.cert,
      key: options.key,
      production: options.production,
      ...(options.address ? { address: options.address } : {}),
      ...(options.port ? { port: options.port } : {}),
      ...(options.ca ? { ca: options.ca } : {}),
    });
  }

  async sendEmpty(topic: string, tokens: readonly string[]): Promise<PushOutcome> {
    const outcome: PushOutcome = { sent: [], invalid: [], retry: [], rejected: [] };
    if (tokens.length === 0) return outcome;
    const note = new Notification();
    note.topic = topic;
    note.payload = {};
    // A 410 comes back in `failed`, not as a thrown error.
    const result = await this.provider.send(note, [...tokens]);
    outcome.sent = result.sent.map((s) => s.device);
    for (const f of result.failed) {
      const kind = classify(f);
      if (kind === 'rejected') {
        outcome.rejected.push({ token: f.device, reason: f.response?.reason ?? String(f.status) });
      } else outcome[kind].push(f.device);
    }
    return outcome;
  }

  async close(): Promise<void> {
    await this.provider.shutdown();
  }
}
