/** Apple Wallet passes: identity per customer, content, update tag, build-once cache, shopper links. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import { notFound } from '../../errors.js';
import type { PassBundle, PassSigner } from '../../integrations/apple/pass-signer.js';
import type { ProgramContext } from '../../program-context.js';
import type { PassRecord } from '../../store/pass-port.js';
import type { CustomerRecord, TierRecord } from '../../store/port.js';
import { programNow } from '../programs/program-context.js';
import { BrandingMemo, type PassBranding } from './pass-branding.js';
import { LruCache } from './pass-cache.js';
import { isNotModified, type PassConditions } from './pass-conditions.js';
import { passContent, passUpdateTag } from './pass-content.js';
import { hashPassToken, type PassLinkSigner } from './pass-links.js';
import type { PassPreviewService } from './pass-preview.js';
import { SEALED_PREFIX } from './pass-token-seal.js';
import { type PassesGlobalStore, type PassesStore, scopeOf } from './passes-store.js';

/** A built pass and what HTTP caching needs. */
export interface BuiltPass {
  /** The signed `.pkpass`. */
  body: Buffer;
  /** Serial number of the pass. */
  serial: string;
  /** Content tag the pass was built for. */
  updateTag: string;
  /** When the content last changed (Last-Modified). */
  lastModified: Date;
}

/** The answer to a pass fetch: the pass, or "the client's copy is current" (HTTP 304). */
export type PassResult =
  | ({ notModified: false } & BuiltPass)
  | ({ notModified: true } & Omit<BuiltPass, 'body'>);

export interface PassServiceDeps {
  /** Each program's passes; also opens the program of a shopper link (no API key, so no context yet). */
  store: PassesStore & Pick<PassesGlobalStore, 'sealLegacyPassTokens'>;
  /** Wall clock: pass creation and Last-Modified times. */
  clock: Clock;
  /** Signs the bundles. */
  signer: PassSigner;
  /** Signs and checks shopper link tokens. */
  links: PassLinkSigner;
  /** Program and tier branding (design and artwork over the templates, decision 0025). */
  branding: PassBranding;
  /** The shared model input of a customer's pass (the previews and samples use the same). */
  previews: PassPreviewService;
  /** Base URL for webServiceURL and shopper links, no trailing slash. */
  publicUrl: string;
  /** LRU capacity in passes. */
  cacheEntries: number;
  /** Warnings: stored designs that no longer validate, legacy pass tokens that no longer open. */
  logger: Pick<Logger, 'warn'>;
  /**
   * Defers pass fetches behind the other requests in flight (http/request-priority.ts); without it
   * a fetch runs at once.
   */
  priority?: {
    deferrable<T>(fn: () => Promise<T>): Promise<T>;
    /** Resolves once no other request is in flight (or after the longest deferral). */
    checkpoint(): Promise<void>;
  };
  /**
   * Serves pass fetches from a thread at a lower OS priority (pass-fetch-thread.ts, decision
   * 0054); `null` from it means "not available": the fetch is served here instead.
   */
  thread?: {
    fetch(ctx: ProgramContext, customerId: string, conditions: PassConditions): Promise<PassResult | null>;
  };
}

/** Customers whose facts `refreshTags` loads at once (each may be one order-summary query). */
const FACT_READS_IN_FLIGHT = 8;

/** Run `fn` over `items` with at most `limit` calls in flight. */
async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** `<programId>.<22 random base64url chars>`: unique, and names its program for the web service. */
function newSerial(programId: string): string {
  return `${programId}.${randomBytes(16).toString('base64url')}`;
}

/** The program id a serial starts with (web service: scope the lookup before reading). */
export function programIdOfSerial(serial: string): string | null {
  const dot = serial.lastIndexOf('.');
  return dot > 0 ? serial.slice(0, dot) : null;
}

export class PassService {
  private readonly cache: LruCache<BuiltPass>;
  private readonly inflight = new Map<string, Promise<Buffer>>();
  /** Passes signed and cache hits since start (tests and metrics). */
  readonly stats = { builds: 0, cacheHits: 0 };

  constructor(private readonly deps: PassServiceDeps) {
    this.cache = new LruCache(deps.cacheEntries);
  }

  /** The customer's pass identity, created on first use; never changes afterwards. */
  async identity(ctx: ProgramContext, customerId: string): Promise<PassRecord> {
    const scope = scopeOf(this.deps.store, ctx);
    const existing = await scope.passes.get(customerId);
    if (existing) return existing;
    const serial = newSerial(ctx.program.id);
    // Only the hash is stored: the token is derived again whenever the pass is built (0021).
    const candidate = { serial, authTokenHash: hashPassToken(this.deps.links.passAuthToken(serial)) };
    return scope.passes.ensure(customerId, candidate, this.deps.clock.now());
  }

  /**
   * The token a pass carries: its own from before migration 021 (sealed), else derived from its
   * serial. A legacy token that no longer opens (the link secret changed) gives way to the
   * derived one, which `tokenMatches` accepts too.
   */
  authToken(pass: PassRecord): string {
    if (pass.legacyAuthToken !== null) {
      try {
        return this.deps.links.openToken(pass.legacyAuthToken);
      } catch (err) {
        this.deps.logger.warn(
          { err, serial: pass.serial },
          'legacy pass token does not open; using the derived one',
        );
      }
    }
    return this.deps.links.passAuthToken(pass.serial);
  }

  /** Encrypt the pass tokens issued before migration 021 that are still in plain text (run at start). */
  sealLegacyTokens(): Promise<number> {
    return this.deps.store.sealLegacyPassTokens((t) => this.deps.links.sealToken(t), SEALED_PREFIX);
  }

  /**
   * True when `token` authenticates `pass`: its hash is the stored one, or it is the token
   * derived with the current link secret (what a pass built after a change of secret carries).
   * Both are always computed and compared in constant time.
   */
  tokenMatches(pass: PassRecord, token: string): boolean {
    const given = hashPassToken(token);
    const byHash = sameDigest(given, pass.authTokenHash);
    const derived = sameDigest(given, hashPassToken(this.deps.links.passAuthToken(pass.serial)));
    return byHash || derived;
  }

  /**
   * `applePass` for a device, a shopper or a merchant fetching the pass over HTTP: served by the
   * lower-priority pass thread when there is one (0054), else deferred behind the other requests
   * in flight (0049), so a burst of fetches after a boundary does not stall orders.
   */
  async fetchApplePass(
    ctx: ProgramContext,
    customerId: string,
    conditions: PassConditions = {},
  ): Promise<PassResult> {
    const { priority, thread } = this.deps;
    if (thread) {
      const fetch = () => thread.fetch(ctx, customerId, conditions);
      const threaded = await (priority ? priority.deferrable(fetch) : fetch());
      if (threaded) return threaded;
    }
    return priority
      ? priority.deferrable(() => this.applePass(ctx, customerId, conditions, () => priority.checkpoint()))
      : this.applePass(ctx, customerId, conditions);
  }

  /**
   * The signed pass of a customer: built when its content changed, else served from the cache.
   * `yieldTo`, between the steps (reads, content, signature, tag write), lets requests in flight
   * finish first (fetchApplePass).
   */
  async applePass(
    ctx: ProgramContext,
    customerId: string,
    conditions: PassConditions = {},
    yieldTo?: () => Promise<void>,
  ): Promise<PassResult> {
    const scope = scopeOf(this.deps.store, ctx);
    const customer = await scope.customers.get(customerId);
    if (!customer) throw notFound('customer_not_found', `No customer ${customerId}`);
    await yieldTo?.();
    const [tiers, identity] = await Promise.all([scope.tiers.list(), this.identity(ctx, customerId)]);
    await yieldTo?.();
    const bundle = await this.bundleOf(ctx, customer, tiers, identity);
    const tag = passUpdateTag(bundle);
    const key = `${identity.serial}\0${tag}`;
    let record = identity;
    if (identity.updateTag !== tag) {
      await yieldTo?.();
      // New content: unless the client asked "not if it is this tag (or any)", it gets a body, so
      // the signature starts now and runs while the tag is written (0039), not after.
      if (!isNotModified({ ifNoneMatch: conditions.ifNoneMatch ?? '' }, tag, identity.updatedAt)) {
        if (!this.cache.get(key)) this.build(key, bundle, identity.serial, tag);
      }
      record = (await scope.passes.setUpdateTag(customerId, tag, this.deps.clock.now())) ?? identity;
    }
    if (isNotModified(conditions, tag, record.updatedAt)) {
      return { notModified: true, serial: identity.serial, updateTag: tag, lastModified: record.updatedAt };
    }
    const cached = this.cache.get(key);
    if (cached) {
      this.stats.cacheHits += 1;
      return { notModified: false, ...cached, lastModified: record.updatedAt };
    }
    const body = await this.build(key, bundle, identity.serial, tag);
    return {
      notModified: false,
      body,
      serial: identity.serial,
      updateTag: tag,
      lastModified: record.updatedAt,
    };
  }

  /**
   * The signed pass of `bundle`, cached under `key` once built. Concurrent requests for the same
   * new content share one signature; one started ahead of a 304 still lands in the cache.
   */
  private build(key: string, bundle: PassBundle, serial: string, updateTag: string): Promise<Buffer> {
    const running = this.inflight.get(key);
    if (running) return running;
    const signing = this.deps.signer.sign(bundle);
    this.inflight.set(key, signing);
    this.stats.builds += 1;
    signing.then(
      (body) => {
        // Last-Modified is the stored one at every read (applePass), not this.
        this.cache.set(key, { body, serial, updateTag, lastModified: new Date(0) });
        this.inflight.delete(key);
      },
      () => this.inflight.delete(key),
    );
    return signing;
  }

  /**
   * What the customer's pass contains (unsigned): the one place pass content is decided, for
   * `applePass` and `refreshTags` alike. `memo` shares the program's branding reads in a batch.
   */
  private async bundleOf(
    ctx: ProgramContext,
    customer: CustomerRecord,
    tiers: readonly TierRecord[],
    identity: PassRecord,
    memo?: BrandingMemo,
  ): Promise<PassBundle> {
    const { input, branding } = await this.deps.previews.customerInput(ctx, customer, tiers, memo);
    // Images per file name: template < program artwork < tier artwork.
    const files = await this.deps.branding.files(ctx, branding, memo);
    return passContent({
      ...input,
      template: { ...branding.template, files },
      serial: identity.serial,
      authToken: this.authToken(identity),
      webServiceURL: `${this.deps.publicUrl}/wallet/apple`,
      passTypeIdentifier: this.deps.signer.passTypeIdentifier,
      teamIdentifier: this.deps.signer.teamIdentifier,
    });
  }

  /**
   * Bring the stored update tag (and Last-Modified) up to date with the pass's content,
   * without signing: `If-None-Match: *` always answers "not modified" once the tag is recorded.
   */
  async refreshTag(ctx: ProgramContext, customerId: string): Promise<Omit<BuiltPass, 'body'>> {
    const { serial, updateTag, lastModified } = await this.applePass(ctx, customerId, { ifNoneMatch: '*' });
    return { serial, updateTag, lastModified };
  }

  /**
   * `refreshTag` for many passes of one program at once (push dispatch): the same content, tag
   * and Last-Modified rule, with one read of the customers, one of the tiers, each shown tier's
   * artwork once, and one write for every changed tag. `passes` are the stored records (as
   * `identity` returns them). Each pass gets its result or its own error (a customer that cannot
   * be read or built fails alone); only a failed read or write of the whole batch rejects.
   */
  async refreshTags(
    ctx: ProgramContext,
    passes: readonly PassRecord[],
  ): Promise<Map<string, Omit<BuiltPass, 'body'> | Error>> {
    const out = new Map<string, Omit<BuiltPass, 'body'> | Error>();
    if (passes.length === 0) return out;
    const scope = scopeOf(this.deps.store, ctx);
    const [customers, tiers] = await Promise.all([
      scope.customers.getMany(passes.map((p) => p.customerId)),
      scope.tiers.list(),
    ]);
    const customerById = new Map(customers.map((c) => [c.id, c]));
    // The program's design and artwork, and each shown tier's, are read once for the batch.
    const memo = new BrandingMemo();
    const changed: { customerId: string; tag: string }[] = [];
    // Facts may need an order summary per customer: a few at a time, not the whole pool.
    await forEachLimit(passes, FACT_READS_IN_FLIGHT, async (pass) => {
      const customer = customerById.get(pass.customerId);
      if (!customer) {
        out.set(pass.customerId, notFound('customer_not_found', `No customer ${pass.customerId}`));
        return;
      }
      try {
        const tag = passUpdateTag(await this.bundleOf(ctx, customer, tiers, pass, memo));
        if (pass.updateTag === tag) {
          out.set(pass.customerId, { serial: pass.serial, updateTag: tag, lastModified: pass.updatedAt });
        } else changed.push({ customerId: pass.customerId, tag });
      } catch (err) {
        out.set(pass.customerId, err instanceof Error ? err : new Error(String(err)));
      }
    });
    for (const r of await scope.passes.setUpdateTags(changed, this.deps.clock.now())) {
      out.set(r.customerId, { serial: r.serial, updateTag: r.updateTag ?? '', lastModified: r.updatedAt });
    }
    // Not written: another writer stored the same tag meanwhile (or the pass went); read it back.
    for (const { customerId, tag } of changed) {
      if (out.has(customerId)) continue;
      const record = await scope.passes.get(customerId);
      out.set(
        customerId,
        record
          ? { serial: record.serial, updateTag: record.updateTag ?? tag, lastModified: record.updatedAt }
          : new Error(`pass of customer ${customerId} vanished`),
      );
    }
    return out;
  }

  /** The shopper link of a customer's pass (no API key needed to open it). */
  async shopperLink(ctx: ProgramContext, customerId: string): Promise<{ url: string }> {
    if (!(await scopeOf(this.deps.store, ctx).customers.get(customerId))) {
      throw notFound('customer_not_found', `No customer ${customerId}`);
    }
    const token = this.deps.links.sign({ programId: ctx.program.id, customerId });
    return { url: `${this.deps.publicUrl}/passes/${token}` };
  }

  /** The program context and customer of a shopper link; 404 for a forged or stale token. */
  async openLink(token: string): Promise<{ ctx: ProgramContext; customerId: string }> {
    const subject = this.deps.links.verify(token);
    if (!subject) throw notFound('pass_link_invalid', 'This pass link is not valid');
    const scope = this.deps.store.scoped(subject.programId);
    const program = await scope.program.get().catch(() => null);
    if (!program) throw notFound('pass_link_invalid', 'This pass link is not valid');
    return {
      ctx: { program, now: programNow(program, this.deps.clock) },
      customerId: subject.customerId,
    };
  }
}

/** Two hex digests compared in constant time. */
function sameDigest(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}
