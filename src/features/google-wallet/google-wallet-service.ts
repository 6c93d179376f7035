/**
 * Google Wallet passes (SPEC 6, issue 5): one loyalty class per tier (plus the program's
 * default class for no tier and hidden tiers), one loyalty object per customer, created through
 * the Wallet REST API before a "Save to Google Wallet" link naming the object is signed, and
 * kept current by `sync` (the outbox dispatcher). See docs/decisions/0012-google-wallet.md.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import { AppError, notFound } from '../../errors.js';
import { saveUrl, signSaveJwt } from '../../integrations/google/save-link.js';
import type { ServiceAccount } from '../../integrations/google/service-account.js';
import {
  type WalletApi,
  WalletApiError,
  type WalletBody,
  type WalletMessage,
} from '../../integrations/google/wallet-client.js';
import type { PassFaceRenderer } from '../../integrations/images/pass-face-renderer.js';
import type { ProgramContext } from '../../program-context.js';
import type { GoogleObjectRecord } from '../../store/google-wallet-port.js';
import type { TierRecord } from '../../store/port.js';
import type { Branding, PassBranding } from '../passes/pass-branding.js';
import { type GooglePassModel, googlePassModel } from '../passes/pass-model.js';
import type { PassPreviewService } from '../passes/pass-preview.js';
import type { PassTemplates } from '../passes/pass-templates.js';
import {
  bodyHash,
  classIdOf,
  loyaltyClassBody,
  loyaltyObjectBody,
  objectIdOf,
  type TierMove,
  tierChangeMessage,
} from './google-content.js';
import type { GoogleWalletStore } from './google-wallet-store.js';

/** Google allows three notifying messages per pass in any 24 hours; later ones go out as TEXT. */
export const NOTIFICATIONS_PER_24H = 3;
/** The notification window (rolling, not a calendar day). */
export const NOTIFICATION_WINDOW_MS = 24 * 3_600_000;
/** Google keeps at most this many messages on an object; older ones are removed first. */
export const MESSAGES_PER_OBJECT = 10;

/** Artwork variants Google shows, by slot. */
const GOOGLE_IMAGES = { logo: 'google-program-logo.png', hero: 'google-hero.png' } as const;
/**
 * Template artwork the program logo is rendered from when no logo was uploaded: the largest
 * logo, else the icon, rendered at Google's size (it asks for at least 660 × 660).
 */
const TEMPLATE_LOGO = ['logo@3x.png', 'logo@2x.png', 'logo.png', 'icon@3x.png', 'icon@2x.png', 'icon.png'];
/** Google's program logo: 660 × 660, the artwork letterboxed on transparent (as uploads render). */
const GOOGLE_LOGO_TARGET = {
  name: 'google-program-logo.png',
  width: 660,
  height: 660,
  fit: 'contain',
} as const;

export interface GoogleWalletDeps {
  /** Each program's objects, classes, customers and tiers. */
  store: GoogleWalletStore;
  /** The Wallet REST API. */
  api: WalletApi;
  /** Signs the save links. */
  account: ServiceAccount;
  /** Prefix of every class and object id. */
  issuerId: string;
  /** `origins` claim of the save links. */
  origins: readonly string[];
  /** Base of the public image URLs Google fetches, no trailing slash. */
  publicUrl: string;
  /** pass-templates/: default colours and logo (the same models as Apple passes). */
  templates: PassTemplates;
  /** Program and tier branding over the templates (decision 0025). */
  branding: PassBranding;
  /** The shared model input of a customer's pass (the Apple pass uses the same). */
  previews: PassPreviewService;
  /** Renders the template logos at Google's size (the artwork service's bounded image work). */
  renderer: PassFaceRenderer;
  /** Wall clock: message ids, the notification window, recorded times. */
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
}

/** What one sync did. */
export interface SyncResult {
  /** The object: `inserted`, `patched`, or `unchanged` (nothing to send). */
  object: 'inserted' | 'patched' | 'unchanged';
  /** The message added for a tier change, if any. */
  message: 'TEXT' | 'TEXT_AND_NOTIFY' | null;
}

/** 503 with a stable code when Google Wallet is not configured. */
export function googleWalletOff(): AppError {
  return new AppError(
    503,
    'google_wallet_not_configured',
    'Google Wallet is not configured on this server (GOOGLE_WALLET_ISSUER_ID and GOOGLE_WALLET_KEY_FILE)',
  );
}

/** The save-link request could not reach or was refused by the Wallet API. */
function upstream(err: WalletApiError): AppError {
  return err.retryable
    ? new AppError(502, 'google_wallet_unavailable', `The Google Wallet API is unavailable: ${err.message}`)
    : new AppError(502, 'google_wallet_rejected', `The Google Wallet API refused the pass: ${err.message}`);
}

/** Key of a template logo's Google rendering (names its public URL; changes with the target). */
const logoKey = (source: Buffer) =>
  createHash('sha256').update(JSON.stringify(GOOGLE_LOGO_TARGET)).update(source).digest('hex');

export class GoogleWalletService {
  /** Template logo sources by the key of their Google rendering (public under /wallet/google/images/template/). */
  private readonly templateLogos = new Map<string, Buffer>();
  /** Renderings of the template logos, made once on first use. */
  private readonly renderedLogos = new Map<string, Promise<Buffer>>();

  constructor(private readonly deps: GoogleWalletDeps) {
    for (const t of [deps.templates.base, ...deps.templates.tiers.values()]) {
      const logo = TEMPLATE_LOGO.map((n) => t.files[n]).find((b) => b !== undefined);
      if (logo) this.templateLogos.set(logoKey(logo), logo);
    }
  }

  /** The object id of a customer. */
  objectId(programId: string, customerId: string): string {
    return objectIdOf(this.deps.issuerId, programId, customerId);
  }

  /**
   * `{ saveUrl }`: the customer's class and object are inserted (or brought up to date) through
   * the API first; the signed JWT then names the object by id only.
   */
  async saveLink(ctx: ProgramContext, customerId: string): Promise<{ saveUrl: string }> {
    const scope = this.deps.store.scoped(ctx.program.id);
    if (!(await scope.customers.get(customerId))) {
      throw notFound('customer_not_found', `No customer ${customerId}`);
    }
    // Committed before the API call: changes from now on queue an update of the object.
    const row = await scope.googleWallet.ensureObject(
      customerId,
      this.objectId(ctx.program.id, customerId),
      this.deps.clock.now(),
    );
    try {
      await this.sync(ctx, row);
    } catch (err) {
      if (err instanceof WalletApiError) throw upstream(err);
      throw err;
    }
    const jwt = signSaveJwt(this.deps.account, [row.objectId], this.deps.origins, this.deps.clock.now());
    return { saveUrl: saveUrl(jwt) };
  }

  /**
   * Bring the customer's class and object up to what they should show now: the class is sent
   * when its body changed, the object when its body changed, and a message is added when the
   * tier the object shows changed since the API last accepted it (notifying while fewer than
   * three notifying messages went out in the last 24 hours, else TEXT). Throws WalletApiError.
   */
  async sync(ctx: ProgramContext, row: GoogleObjectRecord): Promise<SyncResult> {
    const scope = this.deps.store.scoped(ctx.program.id);
    const customer = await scope.customers.get(row.customerId);
    if (!customer) throw notFound('customer_not_found', `No customer ${row.customerId}`);
    const tiers = await scope.tiers.list();
    const { input, branding } = await this.deps.previews.customerInput(ctx, customer, tiers);
    const shown = branding.tier;
    const headline = input.progress?.en ?? null;
    const model = googlePassModel(input);

    const classBody = await this.classBody(ctx, branding, model);
    await this.ensureClass(ctx, classBody);

    const objectBody = loyaltyObjectBody({ objectId: row.objectId, classId: classBody.id, model });
    const hash = bodyHash(objectBody);
    let object: SyncResult['object'] = 'unchanged';
    if (row.contentHash === null) object = await this.create('loyaltyObject', objectBody);
    else if (row.contentHash !== hash) object = await this.updateObject(objectBody);

    const shownId = shown?.id ?? null;
    let message: SyncResult['message'] = null;
    // Only a change from what the customer already saw: never on the first insert.
    if (row.contentHash !== null && row.tierId !== shownId) {
      message = await this.announce(ctx, row, {
        tierId: shownId,
        tierName: shown?.title ?? null,
        move: tierMove(tiers, row.tierId, shownId),
        progress: headline,
      });
    }
    await scope.googleWallet.recordSync(
      row.customerId,
      { classId: classBody.id, tierId: shownId, contentHash: hash },
      this.deps.clock.now(),
    );
    return { object, message };
  }

  /**
   * Patch the object; when the body leaves out a field it may have shown before (no account
   * name, no text modules), patch cannot clear it, so the object is replaced (update) with its
   * messages kept.
   */
  private async updateObject(body: WalletBody & { id: string }): Promise<'inserted' | 'patched'> {
    const modules = body.textModulesData;
    const complete = body.accountName !== undefined && Array.isArray(modules) && modules.length > 0;
    if (complete) return this.deps.api.upsert('loyaltyObject', body);
    const current = await this.deps.api.get('loyaltyObject', body.id);
    if (!current) return this.create('loyaltyObject', body);
    const messages = current.messages;
    await this.deps.api.replace('loyaltyObject', {
      ...body,
      ...(Array.isArray(messages) && messages.length > 0 ? { messages } : {}),
    });
    return 'patched';
  }

  /**
   * Add the tier-change message, notifying while the 24-hour allowance lasts. The slot is taken
   * under a key of this change (stable across retries): a retry after a failed attempt finds
   * it spent and goes out as TEXT — Google may have delivered the first attempt, and its quota
   * counts it either way.
   */
  private async announce(
    ctx: ProgramContext,
    row: GoogleObjectRecord,
    change: { tierId: string | null; tierName: string | null; move: TierMove; progress: string | null },
  ): Promise<'TEXT' | 'TEXT_AND_NOTIFY'> {
    const repo = this.deps.store.scoped(ctx.program.id).googleWallet;
    const now = this.deps.clock.now();
    const key = createHash('sha256')
      .update(
        JSON.stringify([row.syncedAt?.toISOString() ?? null, row.contentHash, row.tierId, change.tierId]),
      )
      .digest('base64url')
      .slice(0, 22);
    const slot = await repo.takeNotification(row.customerId, key, now, NOTIFICATIONS_PER_24H);
    const message = tierChangeMessage({
      id: `tier-${now.getTime()}-${randomBytes(4).toString('hex')}`,
      at: now,
      programName: ctx.program.name,
      ...change,
      notify: slot === 'taken',
    });
    await this.makeRoom(row.objectId, now);
    await this.deps.api.addMessage(row.objectId, message);
    return message.messageType;
  }

  /**
   * Keep the object under Google's 10 messages: when adding one would exceed it, the expired
   * ones and then the oldest are removed (a patch of `messages` replaces the whole list).
   */
  private async makeRoom(objectId: string, now: Date): Promise<void> {
    const current = await this.deps.api.get('loyaltyObject', objectId);
    const messages = (Array.isArray(current?.messages) ? current.messages : []) as WalletMessage[];
    if (messages.length < MESSAGES_PER_OBJECT) return;
    const end = (m: WalletMessage) =>
      Date.parse(m.displayInterval?.end.date ?? '') || Number.POSITIVE_INFINITY;
    const start = (m: WalletMessage) => Date.parse(m.displayInterval?.start.date ?? '') || 0;
    const kept = messages
      .map((m, i) => ({ m, i }))
      .filter(({ m }) => end(m) > now.getTime())
      .sort((a, b) => start(a.m) - start(b.m) || a.i - b.i)
      .slice(-(MESSAGES_PER_OBJECT - 1))
      .map(({ m }) => m);
    await this.deps.api.patch('loyaltyObject', objectId, { messages: kept });
  }

  /** Insert; when it exists already (409: a retry after a lost answer, a reset database) patch it. */
  private async create(
    resource: 'loyaltyClass' | 'loyaltyObject',
    body: WalletBody & { id: string },
  ): Promise<'inserted' | 'patched'> {
    try {
      await this.deps.api.insert(resource, body);
      return 'inserted';
    } catch (err) {
      if (!(err instanceof WalletApiError) || err.status !== 409) throw err;
      await this.deps.api.patch(resource, body.id, body);
      return 'patched';
    }
  }

  /** Send the class when this program never sent it or its body changed (design, artwork, title). */
  private async ensureClass(ctx: ProgramContext, body: WalletBody & { id: string }): Promise<void> {
    const repo = this.deps.store.scoped(ctx.program.id).googleWallet;
    const hash = bodyHash(body);
    const stored = await repo.classHash(body.id);
    if (stored === hash) return;
    // Update, not patch: a removed hero image or text must be cleared, and patch keeps what it
    // is not sent. The class is Tierpass's alone, so its whole body is always known.
    if (stored === null) await this.create('loyaltyClass', body);
    else await this.deps.api.replace('loyaltyClass', body);
    await repo.setClassHash(body.id, hash, this.deps.clock.now());
  }

  private async classBody(ctx: ProgramContext, branding: Branding, model: GooglePassModel) {
    const { publicUrl, issuerId } = this.deps;
    const shown = branding.tier;
    // Per slot: the tier's upload, else the program's, else (logo only) the template's icon.
    let logoUrl = this.templateLogoUrl(branding.template.files);
    let heroUrl: string | null = null;
    for (const [slot, name] of Object.entries(GOOGLE_IMAGES) as [keyof typeof GOOGLE_IMAGES, string][]) {
      const found = branding.slots[slot];
      if (!found?.record.variants.some((v) => v.name === name)) continue;
      const url = `${publicUrl}/wallet/google/images/${encodeURIComponent(ctx.program.id)}/${encodeURIComponent(found.ownerId)}/${found.record.hash}/${name}`;
      if (slot === 'logo') logoUrl = url;
      else heroUrl = url;
    }
    return loyaltyClassBody({
      classId: classIdOf(issuerId, ctx.program.id, shown?.id ?? null),
      model,
      logoUrl,
      heroUrl,
    });
  }

  private templateLogoUrl(files: Record<string, Buffer>): string {
    const logo = TEMPLATE_LOGO.map((n) => files[n]).find((b) => b !== undefined);
    const key = logo ? logoKey(logo) : [...this.templateLogos.keys()][0];
    return `${this.deps.publicUrl}/wallet/google/images/template/${key}.png`;
  }

  /**
   * A template logo rendered at Google's 660 × 660 by its key (public image route), or null.
   * Rendered once on first use; a failed render is tried again on the next request.
   */
  async templateImage(key: string): Promise<Buffer | null> {
    const source = this.templateLogos.get(key);
    if (!source) return null;
    let rendered = this.renderedLogos.get(key);
    if (!rendered) {
      rendered = this.deps.renderer
        .renderVariants({ bytes: source, format: 'png' }, [GOOGLE_LOGO_TARGET])
        .then((images) => {
          const image = images[0];
          if (!image) throw new Error('the template logo rendered to nothing');
          return image.data;
        });
      this.renderedLogos.set(key, rendered);
      rendered.catch(() => this.renderedLogos.delete(key));
    }
    return rendered;
  }
}

/** Up or down by the tiers' rank order (a tier since deleted counts as the lowest). */
function tierMove(tiers: readonly TierRecord[], from: string | null, to: string | null): TierMove {
  if (to === null) return 'none';
  const rank = (id: string | null) => (id === null ? -1 : tiers.findIndex((t) => t.id === id));
  return rank(to) > rank(from) ? 'up' : 'down';
}
