/**
 * POSTs webhook bodies over node:http(s) with keep-alive. The address policy is applied to the
 * address actually connected to (a `lookup` hook), so a name that resolved to a public address
 * at subscribe time and to a private one now (DNS rebinding) is still refused. Redirects are not
 * followed: a 3xx is an unsuccessful answer like any other non-2xx.
 */
import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import {
  type AddressPolicy,
  AddressRefused,
  addressAllowed,
  classifyAddress,
  urlHost,
} from './address-policy.js';

/** The receiver's answer. */
export interface WebhookResponse {
  status: number;
}

/** Sends one webhook request. */
export interface WebhookSender {
  /**
   * POST `body` to `url`; resolves with the status of any HTTP answer, rejects when there is
   * none (refused address, connection error, timeout) with an error whose message is shown to
   * the merchant.
   */
  post(url: string, body: string, headers: Record<string, string>): Promise<WebhookResponse>;
  /** Release kept-alive connections. */
  close(): void;
}

export interface HttpWebhookSenderOptions {
  policy: AddressPolicy;
  /** Whole request, connection to response headers (default 10 s). */
  timeoutMs?: number;
  /** Connections kept per receiver host (default 64). */
  maxSockets?: number;
}

/** A DNS lookup that refuses addresses the policy does not allow. */
function guardedLookup(policy: AddressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const allowed = addresses.filter((a) => addressAllowed(a.address, policy));
      const first = allowed[0];
      if (!first || allowed.length !== addresses.length) {
        const bad = addresses.find((a) => !addressAllowed(a.address, policy));
        const refused = new AddressRefused(
          'not_allowed',
          `${hostname} resolves to ${bad?.address ?? 'nothing'}, ${bad ? `a ${classifyAddress(bad.address)} address` : ''}`.trim(),
        );
        return callback(refused, '', 0);
      }
      if (options.all) return callback(null, allowed as unknown as string, 0);
      callback(null, first.address, first.family);
    });
  };
}

export class HttpWebhookSender implements WebhookSender {
  private readonly http: http.Agent;
  private readonly https: https.Agent;
  private readonly timeoutMs: number;
  private readonly lookup: LookupFunction;

  constructor(private readonly opts: HttpWebhookSenderOptions) {
    this.lookup = guardedLookup(opts.policy);
    const agentOptions = { keepAlive: true, maxSockets: opts.maxSockets ?? 64, lookup: this.lookup };
    this.http = new http.Agent(agentOptions);
    this.https = new https.Agent(agentOptions);
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  post(url: string, body: string, headers: Record<string, string>): Promise<WebhookResponse> {
    const target = new URL(url);
    const host = urlHost(target);
    // Literal addresses never reach the lookup hook.
    if (isIP(host) && !addressAllowed(host, this.opts.policy)) {
      return Promise.reject(
        new AddressRefused('not_allowed', `${host} is a ${classifyAddress(host)} address`),
      );
    }
    const secure = target.protocol === 'https:';
    const client = secure ? https : http;
    return new Promise((resolve, reject) => {
      const req = client.request(
        target,
        {
          method: 'POST',
          agent: secure ? this.https : this.http,
          lookup: this.lookup,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'user-agent': 'Tierpass-Webhooks/1',
            ...headers,
          },
          timeout: this.timeoutMs,
        },
        (res) => {
          // The body is not read: drain it so the connection is reused.
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
          res.on('error', reject);
        },
      );
      const timer = setTimeout(
        () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', reject);
      req.on('close', () => clearTimeout(timer));
      req.end(body);
    });
  }

  close(): void {
    this.http.destroy();
    this.https.destroy();
  }
}
