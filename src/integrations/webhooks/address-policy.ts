/**
 * Which addresses webhook deliveries may reach (SSRF guard). Private, loopback, link-local,
 * CGNAT, unique-local, multicast, reserved and unspecified addresses are refused unless
 * configuration allows them; checked when subscribing AND on every connection (DNS rebinding).
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** What configuration allows beyond public addresses. */
export interface AddressPolicy {
  /** 127.0.0.0/8 and ::1 (tests, a receiver on the same host). */
  allowLoopback: boolean;
  /** Every non-public address, loopback included (a receiver on the internal network). */
  allowPrivate: boolean;
}

/** The kind of an IP address as far as the policy cares. */
export type AddressClass = 'public' | 'loopback' | 'private';

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

const nonPublic = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // CGNAT
  ['169.254.0.0', 16], // link-local (cloud metadata)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  nonPublic.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128], // unspecified
  ['fc00::', 7], // unique-local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
  ['2001:db8::', 32], // documentation
  ['100::', 64], // discard
] as const) {
  nonPublic.addSubnet(net, prefix, 'ipv6');
}

/** An IPv4 address embedded in an IPv6 one (::ffff:a.b.c.d, ::a.b.c.d, 64:ff9b::/96), or null. */
function embeddedIpv4(ip: string): string | null {
  const lower = ip.toLowerCase();
  const dotted = /^(?:::ffff:|::|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted?.[1]) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex?.[1] && hex[2]) {
    const hi = Number.parseInt(hex[1], 16);
    const lo = Number.parseInt(hex[2], 16);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return null;
}

/** Classify an IP address (v4 or v6). */
export function classifyAddress(ip: string): AddressClass {
  const family = isIP(ip);
  if (family === 0) return 'private';
  if (family === 6) {
    const v4 = embeddedIpv4(ip);
    if (v4) return classifyAddress(v4);
    if (loopback.check(ip, 'ipv6')) return 'loopback';
    return nonPublic.check(ip, 'ipv6') ? 'private' : 'public';
  }
  if (loopback.check(ip, 'ipv4')) return 'loopback';
  return nonPublic.check(ip, 'ipv4') ? 'private' : 'public';
}

/** Whether the policy lets a delivery reach `ip`. */
export function addressAllowed(ip: string, policy: AddressPolicy): boolean {
  const kind = classifyAddress(ip);
  if (kind === 'public') return true;
  if (kind === 'loopback') return policy.allowLoopback || policy.allowPrivate;
  return policy.allowPrivate;
}

/** The host of a URL without IPv6 brackets. */
export function urlHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** Why a host may not be reached. */
export class AddressRefused extends Error {
  constructor(
    readonly reason: 'not_allowed' | 'unresolvable',
    message: string,
  ) {
    super(message);
    this.name = 'AddressRefused';
  }
}

/** Resolve `host` and throw AddressRefused unless every address it has is allowed. */
export async function checkHost(host: string, policy: AddressPolicy): Promise<void> {
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch (err) {
      throw new AddressRefused('unresolvable', `${host} does not resolve (${(err as Error).message})`);
    }
  }
  const refused = addresses.find((a) => !addressAllowed(a, policy));
  if (refused) {
    throw new AddressRefused(
      'not_allowed',
      `${host} resolves to ${refused}, a ${classifyAddress(refused)} address`,
    );
  }
}
