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

const loopbackV4 = new BlockList();
loopbackV4.addSubnet('127.0.0.0', 8, 'ipv4');

const nonPublicV4 = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // CGNAT
  ['169.254.0.0', 16], // link-local (cloud metadata)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast (deprecated)
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  nonPublicV4.addSubnet(net, prefix, 'ipv4');
}

function classifyIpv4(ip: string): AddressClass {
  if (loopbackV4.check(ip, 'ipv4')) return 'loopback';
  return nonPublicV4.check(ip, 'ipv4') ? 'private' : 'public';
}

/**
 * The eight 16-bit groups of an IPv6 address in any textual form (`::`, a dotted IPv4 tail, a
 * `%zone`), or null when it is not one.
 */
export function ipv6Groups(ip: string): number[] | null {
  let text = ip.toLowerCase().replace(/%.*$/, '');
  const dotted = /^(.*:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (dotted) {
    const bytes = dotted.slice(2, 6).map(Number);
    if (bytes.some((b) => b > 255)) return null;
    const [a = 0, b = 0, c = 0, d = 0] = bytes;
    text = `${dotted[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (part: string | undefined) => (part ? part.split(':') : []);
  const head = parse(halves[0]);
  const tail = parse(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  return groups.map((g) => Number.parseInt(g, 16));
}

const ipv4Of = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;

/**
 * The IPv4 addresses an IPv6 address stands for, and how: `direct` forms are that IPv4 address
 * (IPv4-mapped ::ffff:0:0/96, IPv4-compatible ::/96) and take its class; `tunnel` forms reach it
 * through a translator or tunnel (NAT64 64:ff9b::/96, SIIT ::ffff:0:0:0/96, 6to4 2002::/16,
 * Teredo 2001::/32 — server and XOR-obfuscated client —, ISATAP interface ids) and are public
 * only when every embedded address is.
 */
function embeddedIpv4(g: number[]): { kind: 'direct' | 'tunnel'; addresses: string[] } | null {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const last = ipv4Of(g6, g7);
  const zeroTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroTo(5) && g5 === 0xffff) return { kind: 'direct', addresses: [last] };
  // ::/96 without :: and ::1 (classified before).
  if (zeroTo(6)) return { kind: 'direct', addresses: [last] };
  if (zeroTo(4) && g4 === 0xffff && g5 === 0) return { kind: 'tunnel', addresses: [last] };
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    return { kind: 'tunnel', addresses: [last] };
  }
  if (g0 === 0x2002) return { kind: 'tunnel', addresses: [ipv4Of(g1, g2)] };
  if (g0 === 0x2001 && g1 === 0) {
    return { kind: 'tunnel', addresses: [ipv4Of(g2, g3), ipv4Of(g6 ^ 0xffff, g7 ^ 0xffff)] };
  }
  // ISATAP (RFC 5214): interface id 0000:5efe or 0200:5efe (u bit) + IPv4, under any prefix.
  if ((g4 & 0xfcff) === 0 && g5 === 0x5efe) return { kind: 'tunnel', addresses: [last] };
  return null;
}

const nonPublicV6 = new BlockList();
for (const [net, prefix] of [
  ['64:ff9b:1::', 48], // local-use NAT64 (RFC 8215): a translator of the local network
  ['2001::', 23], // IETF protocol assignments (Teredo 2001::/32 is judged by its IPv4 first)
  ['2001:db8::', 32], // documentation
  ['3fff::', 20], // documentation (RFC 9637)
  ['5f00::', 16], // SRv6 SIDs
] as const) {
  nonPublicV6.addSubnet(net, prefix, 'ipv6');
}
const globalUnicast = new BlockList();
globalUnicast.addSubnet('2000::', 3, 'ipv6');
globalUnicast.addSubnet('64:ff9b::', 96, 'ipv6');

function classifyIpv6(ip: string): AddressClass {
  const g = ipv6Groups(ip);
  if (!g) return 'private';
  const canonical = g.map((x) => x.toString(16)).join(':');
  if (g.every((x) => x === 0)) return 'private'; // ::
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return 'loopback'; // ::1
  const embedded = embeddedIpv4(g);
  if (embedded) {
    const classes = embedded.addresses.map(classifyIpv4);
    if (embedded.kind === 'direct') return classes[0] ?? 'private';
    // Through a tunnel or translator an internal IPv4 address is not "this host".
    if (classes.some((c) => c !== 'public')) return 'private';
  }
  // Only global unicast (2000::/3, and the well-known NAT64 prefix) can be public: this also
  // refuses unique-local fc00::/7, link-local fe80::/10, site-local fec0::/10, multicast ff00::/8,
  // discard 100::/64 and the reserved rest of ::/8.
  if (!globalUnicast.check(canonical, 'ipv6')) return 'private';
  return nonPublicV6.check(canonical, 'ipv6') && !(embedded && g[0] === 0x2001 && g[1] === 0)
    ? 'private'
    : 'public';
}

/**
 * Classify an IP address (v4 or v6). IPv6 forms that embed an IPv4 address (mapped, compatible,
 * NAT64, 6to4, Teredo, ISATAP) are judged by that address too; anything unparseable is private.
 */
export function classifyAddress(ip: string): AddressClass {
  const family = isIP(ip.replace(/%.*$/, ''));
  if (family === 4) return classifyIpv4(ip);
  if (family === 6) return classifyIpv6(ip);
  return 'private';
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
