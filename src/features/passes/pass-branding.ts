/**
 * Program-wide branding and its inheritance (docs/decisions/0025-program-branding.md): the one
 * place that decides which design and which images a pass shows. Design: template < program
 * design < tier design, field by field. Images, per slot: template files < program artwork <
 * tier artwork. A customer without a shown tier (none, hidden) gets the program's branding.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { ProgramContext } from '../../program-context.js';
import type { ArtworkSlotRecord } from '../../store/artwork-port.js';
import type { TierRecord } from '../../store/port.js';
import { isApplePassImage, type Slot } from '../artwork/artwork-slots.js';
import { type PassDesign, passDesignSchema } from './pass-design-schemas.js';
import { mergeDesign, type PassModelInput, templateDefaults } from './pass-model.js';
import { type PassTemplate, type PassTemplates, templateFor } from './pass-templates.js';
import { type PassesStore, scopeOf } from './passes-store.js';

/**
 * Owner id of the program's own artwork in the artwork tables (tier ids are `tier_<hex>`, so
 * it can never be a tier's).
 */
export const PROGRAM_OWNER = '*program';

/** An uploaded slot that shows, and whose it is. */
export interface ShownSlot {
  /** `PROGRAM_OWNER` or the tier id. */
  ownerId: string;
  /** The stored slot. */
  record: ArtworkSlotRecord;
}

/** What a pass of one shown tier (or of none) is branded with. */
export interface Branding {
  /** The shown tier, or null (program branding). */
  tier: TierRecord | null;
  /** pass-templates/ model of the shown tier: other pass.json keys, base images, colours. */
  template: PassTemplate;
  /** Colours of the template's pass.json (the model's `defaults`). */
  defaults: PassModelInput['defaults'];
  /** What the own design is laid over: the program design for a tier, `{}` for the program. */
  baseDesign: PassDesign;
  /** The tier's own stored design, or the program's when no tier is shown. */
  ownDesign: PassDesign;
  /** The effective design: `mergeDesign(baseDesign, ownDesign)`. */
  design: PassDesign;
  /** Uploaded slots that show, by slot: the tier's over the program's. */
  slots: Partial<Record<Slot, ShownSlot>>;
}

/** Reads shared by many passes of one program (push batches): each owner's data read once. */
export class BrandingMemo {
  readonly reads = new Map<string, Promise<unknown>>();
  once<T>(key: string, load: () => Promise<T>): Promise<T> {
    let p = this.reads.get(key) as Promise<T> | undefined;
    if (!p) {
      p = load();
      this.reads.set(key, p);
    }
    return p;
  }
}

export interface PassBrandingDeps {
  /** Each program's design and artwork. */
  store: PassesStore;
  /** pass-templates/ as read at start. */
  templates: PassTemplates;
  /** Stored designs that no longer validate are logged and ignored. */
  logger: Pick<Logger, 'warn'>;
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

export class PassBranding {
  /** Every template image by content hash (the template image route; pass-sample URLs). */
  private readonly templateImages = new Map<string, Buffer>();
  private readonly templateHashes = new WeakMap<Buffer, string>();

  constructor(private readonly deps: PassBrandingDeps) {
    for (const t of [deps.templates.base, ...deps.templates.tiers.values()]) {
      for (const data of Object.values(t.files)) this.templateImages.set(this.hashOf(data), data);
    }
  }

  /** The template models (Google's template logo list is built from them). */
  get templates(): PassTemplates {
    return this.deps.templates;
  }

  /** Content hash of a template image (cached per buffer). */
  hashOf(data: Buffer): string {
    let hash = this.templateHashes.get(data);
    if (!hash) {
      hash = sha256(data);
      this.templateHashes.set(data, hash);
    }
    return hash;
  }

  /** A template image by content hash, or null. */
  templateImage(hash: string): Buffer | null {
    return this.templateImages.get(hash) ?? null;
  }

  /** The program's own design (`{}` when never set or no longer valid). */
  async programDesign(ctx: ProgramContext, memo?: BrandingMemo): Promise<PassDesign> {
    const load = async () =>
      this.parse(await scopeOf(this.deps.store, ctx).program.passDesign(), 'program design');
    return memo ? memo.once('design', load) : load();
  }

  /**
   * Replace the program's design; every pass of the program is queued for an update in the same
   * transaction (APNs pushes and Google objects, as a tier design change does for its tier).
   */
  async setProgramDesign(ctx: ProgramContext, design: PassDesign): Promise<PassDesign> {
    const stored = await scopeOf(this.deps.store, ctx).transaction(async (tx) => {
      const saved = await tx.program.setPassDesign(design, ctx.now);
      await tx.outbox.passesChanged();
      return saved;
    });
    return this.parse(stored, 'program design');
  }

  /** A tier's stored design as the passes use it (`{}` when no longer valid). */
  tierDesign(tier: TierRecord): PassDesign {
    return this.parse(tier.design, `design of tier ${tier.id}`);
  }

  /**
   * The branding of a pass showing `shown` (null: no tier or a hidden one → the program's).
   */
  async of(ctx: ProgramContext, shown: TierRecord | null, memo?: BrandingMemo): Promise<Branding> {
    const template = templateFor(this.deps.templates, shown);
    const [programDesign, programSlots, tierSlots] = await Promise.all([
      this.programDesign(ctx, memo),
      this.slotList(ctx, PROGRAM_OWNER, memo),
      shown ? this.slotList(ctx, shown.id, memo) : [],
    ]);
    const slots: Partial<Record<Slot, ShownSlot>> = {};
    for (const record of programSlots) slots[record.slot as Slot] = { ownerId: PROGRAM_OWNER, record };
    for (const record of tierSlots) slots[record.slot as Slot] = { ownerId: shown?.id ?? '', record };
    const baseDesign = shown ? programDesign : {};
    const ownDesign = shown ? this.tierDesign(shown) : programDesign;
    return {
      tier: shown,
      template,
      defaults: templateDefaults(template.passJson),
      baseDesign,
      ownDesign,
      design: mergeDesign(baseDesign, ownDesign),
      slots,
    };
  }

  /**
   * Images of the Apple bundle: template files < program artwork < tier artwork, by file name.
   * Each uploaded slot that shows brings its own owner's variants (a tier's slot hides the
   * program's variants of that slot); owners with no slot showing are not read.
   */
  async files(ctx: ProgramContext, branding: Branding, memo?: BrandingMemo): Promise<Record<string, Buffer>> {
    const files = { ...branding.template.files };
    const owners = [PROGRAM_OWNER, ...(branding.tier ? [branding.tier.id] : [])].filter((owner) =>
      Object.values(branding.slots).some((shown) => shown.ownerId === owner),
    );
    const { artwork } = scopeOf(this.deps.store, ctx);
    const read = await Promise.all(
      owners.map((owner) =>
        memo ? memo.once(`variants:${owner}`, () => artwork.variants(owner)) : artwork.variants(owner),
      ),
    );
    for (const [i, owner] of owners.entries()) {
      for (const v of read[i] ?? []) {
        if (branding.slots[v.slot as Slot]?.ownerId === owner && isApplePassImage(v.name)) {
          files[v.name] = v.data;
        }
      }
    }
    return files;
  }

  /**
   * One image of the face: the uploaded slot's `variant` when a slot shows, else the template's
   * `templateFile` (none for hero). `hash` identifies its content (cache keys).
   */
  async faceImage(
    ctx: ProgramContext,
    branding: Branding,
    slot: Slot,
    variant: string,
    templateFile: string | null,
  ): Promise<{ data: Buffer; hash: string; source: 'artwork' | 'template'; ownerId: string | null } | null> {
    const shown = branding.slots[slot];
    if (shown?.record.variants.some((v) => v.name === variant)) {
      const stored = await this.deps.store
        .scoped(ctx.program.id)
        .artwork.variant(shown.ownerId, slot, variant);
      if (stored) return { data: stored.data, hash: stored.hash, source: 'artwork', ownerId: shown.ownerId };
    }
    const data = templateFile ? branding.template.files[templateFile] : undefined;
    return data ? { data, hash: this.hashOf(data), source: 'template', ownerId: null } : null;
  }

  private slotList(ctx: ProgramContext, owner: string, memo?: BrandingMemo): Promise<ArtworkSlotRecord[]> {
    const list = () => scopeOf(this.deps.store, ctx).artwork.list(owner);
    return memo ? memo.once(`slots:${owner}`, list) : list();
  }

  private parse(raw: unknown, what: string): PassDesign {
    const parsed = passDesignSchema.safeParse(raw ?? {});
    if (parsed.success) return parsed.data;
    this.deps.logger.warn({ what }, 'stored pass design is invalid; using the template');
    return {};
  }
}
