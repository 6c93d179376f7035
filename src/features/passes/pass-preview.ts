/**
 * Pass faces from the shared model (decision 0025): the sample the console's designer renders
 * (`sample`), the tier and program previews (`preview`), and a customer's card image on the
 * shopper page (`card`). All draw `appleFaceSvg(applePassModel(input))` with the same input the
 * real pass is built from, rasterised in the bounded image child processes.
 */
import { createHash } from 'node:crypto';
import { notFound } from '../../errors.js';
import type { PassFaceRenderer } from '../../integrations/images/pass-face-renderer.js';
import type { ProgramContext } from '../../program-context.js';
import type { CustomerRecord, TierRecord } from '../../store/port.js';
import type { Slot } from '../artwork/artwork-slots.js';
import { type Branding, type BrandingMemo, type PassBranding, PROGRAM_OWNER } from './pass-branding.js';
import { LruCache } from './pass-cache.js';
import type { PassDesign } from './pass-design-schemas.js';
import { appleFaceSvg, type FaceImages } from './pass-face-svg.js';
import { applePassModel, type PassModelInput } from './pass-model.js';
import { frenchProgress } from './pass-strings.js';
import { type PassesStore, scopeOf } from './passes-store.js';
import { sampleWalletView, type WalletView, walletView } from './wallet-view.js';

/** Bumped when the face layout changes, so cached previews are drawn again. */
const LAYOUT_VERSION = 2;

/** Member id and name of the sample member. */
export const SAMPLE_MEMBER = { id: 'SAMPLE-0001', name: 'Sample Member' } as const;

/**
 * The model input of one member as their pass shows it: the shown tier's name, the rewards of the
 * tier they are in, progress to the next one, the resolved branding. One builder for real
 * customers and the sample member, so the two cannot differ.
 */
function modelInput(
  ctx: ProgramContext,
  member: { id: string; name: string | null; email?: string | null },
  points: number,
  view: {
    shown: TierRecord | null;
    rewardsOf: TierRecord | null | undefined;
    next: WalletView['next'];
    /** Cycle mode: what keeps the shown tier (WalletView `keep`). */
    keep?: string | null;
    branding: Branding;
  },
): PassModelInput {
  const { shown, rewardsOf, next, branding } = view;
  return {
    programName: ctx.program.name,
    memberId: member.id,
    memberName: member.name,
    memberEmail: member.email ?? null,
    points,
    tierName: shown?.title ?? null,
    rewards: rewardsOf?.benefits.rewards ?? [],
    progress: next
      ? {
          en: next.headline,
          fr: frenchProgress(next.missing, next.tier.title, ctx.program.settings.currency),
        }
      : null,
    ...(view.keep ? { keep: view.keep } : {}),
    design: branding.design,
    defaults: branding.defaults,
  };
}

/** Whose design a sample or preview is about. */
export type DesignTarget = { kind: 'tier'; tierId: string } | { kind: 'program' };

/** Same-origin URLs of the images the face shows (null: none). */
export interface SampleImages {
  /** Apple logo (`logo@2x.png`). */
  logo: string | null;
  /** Icon (`icon@2x.png`): Google's logo circle when no logo was uploaded. */
  icon: string | null;
  /** Apple strip (`strip@2x.png`). */
  strip: string | null;
  /** Google hero (`google-hero.png`). */
  hero: string | null;
  /** Google program logo (`google-program-logo.png` of an uploaded logo). */
  googleLogo: string | null;
}

/** What the designer needs to draw the live preview with the same functions as the server. */
export interface PassSample {
  /** The model input, its design the effective one. */
  input: PassModelInput;
  /** What the own design is laid over: template + program design for a tier, template for the program. */
  baseDesign: PassDesign;
  /** The tier's or the program's own stored design (what the designer edits). */
  ownDesign: PassDesign;
  /** Image URLs of the effective artwork. */
  images: SampleImages;
  /** The real customer shown, or null for the sample member. */
  customerId: string | null;
  /**
   * False when the tier is hidden (or no tier is shown): its passes then show the program's
   * branding and no tier name, as `input` does.
   */
  tierShown: boolean;
}

/** A PNG with its ETag. */
export interface FaceImage {
  /** Content key (hash of everything drawn): the ETag. */
  hash: string;
  /** The PNG. */
  data: Buffer;
}

export interface PassPreviewDeps {
  /** Each program's customers, tiers, order facts and cached previews. */
  store: PassesStore;
  branding: PassBranding;
  /** Image work in bounded child processes (the artwork service's). */
  renderer: PassFaceRenderer;
  /** Customer card images kept in memory (by content key). */
  cardCacheEntries?: number;
}

/** Face slots: [slot, artwork variant, template file]. */
const FACE_SLOTS: readonly [keyof SampleImages, Slot, string, string | null][] = [
  ['logo', 'logo', 'logo@2x.png', 'logo@2x.png'],
  ['icon', 'icon', 'icon@2x.png', 'icon@2x.png'],
  ['strip', 'strip', 'strip@2x.png', 'strip@2x.png'],
  ['hero', 'hero', 'google-hero.png', null],
  ['googleLogo', 'logo', 'google-program-logo.png', null],
];

/** Points of a member who just entered the tier: its lowest points threshold, else 0. */
export function samplePoints(tier: TierRecord): number {
  const thresholds = tier.qualifications.flatMap((q) =>
    q.type === 'lifetimePoints' || q.type === 'carryPoints' ? [q.minPoints] : [],
  );
  return thresholds.length > 0 ? Math.min(...thresholds) : 0;
}

export class PassPreviewService {
  private readonly cards: LruCache<Buffer>;

  constructor(private readonly deps: PassPreviewDeps) {
    this.cards = new LruCache(deps.cardCacheEntries ?? 200);
  }

  /**
   * The model input and branding of a customer's real pass: the one computation the Apple
   * bundle, the Google bodies, the card image and the pass sample share.
   */
  async customerInput(
    ctx: ProgramContext,
    customer: CustomerRecord,
    tiers: readonly TierRecord[],
    memo?: BrandingMemo,
  ): Promise<{ input: PassModelInput; branding: Branding; next: WalletView['next'] }> {
    const { orders } = scopeOf(this.deps.store, ctx);
    const { tier, shown, next, keep } = await walletView(ctx, orders, customer, tiers);
    const branding = await this.deps.branding.of(ctx, shown, memo);
    return {
      branding,
      next,
      input: modelInput(
        ctx,
        { id: customer.id, name: customer.name, email: customer.email },
        customer.balances.current,
        {
          shown,
          rewardsOf: tier,
          next,
          keep,
          branding,
        },
      ),
    };
  }

  /** GET …/pass-sample: the sample member (or a real customer) of a tier or of the program. */
  async sample(ctx: ProgramContext, target: DesignTarget, customerId?: string): Promise<PassSample> {
    const scope = scopeOf(this.deps.store, ctx);
    const tiers = await scope.tiers.list();
    const tier = target.kind === 'tier' ? tiers.find((t) => t.id === target.tierId) : undefined;
    if (target.kind === 'tier' && !tier) throw notFound('tier_not_found', `No tier ${target.tierId}`);
    let input: PassModelInput;
    let branding: Branding;
    if (customerId !== undefined) {
      const customer = await scope.customers.get(customerId);
      if (!customer) throw notFound('customer_not_found', `No customer ${customerId}`);
      ({ input, branding } = await this.customerInput(ctx, customer, tiers));
    } else {
      ({ input, branding } = await this.sampleInput(ctx, tiers, tier ?? null));
    }
    const programDesign = await this.deps.branding.programDesign(ctx);
    return {
      input,
      baseDesign: tier ? programDesign : {},
      ownDesign: tier ? this.deps.branding.tierDesign(tier) : programDesign,
      images: this.imageUrls(branding),
      customerId: customerId ?? null,
      tierShown: tier ? tier.visible && branding.tier?.id === tier.id : false,
    };
  }

  /** The sample member of `tier` (or of the program: no tier), as its real pass would show. */
  private async sampleInput(
    ctx: ProgramContext,
    tiers: readonly TierRecord[],
    tier: TierRecord | null,
  ): Promise<{ input: PassModelInput; branding: Branding }> {
    const points = tier ? samplePoints(tier) : 0;
    const { shown, next } = sampleWalletView(ctx.program.settings, tiers, tier, points);
    const branding = await this.deps.branding.of(ctx, shown);
    return {
      branding,
      input: modelInput(ctx, SAMPLE_MEMBER, points, { shown, rewardsOf: tier, next, branding }),
    };
  }

  /** GET /v1/tiers/{id}/preview.png and /v1/program/preview.png: the sample's face, cached by content. */
  async preview(ctx: ProgramContext, target: DesignTarget, signal?: AbortSignal): Promise<FaceImage> {
    const scope = scopeOf(this.deps.store, ctx);
    const tiers = await scope.tiers.list();
    const tier = target.kind === 'tier' ? tiers.find((t) => t.id === target.tierId) : undefined;
    if (target.kind === 'tier' && !tier) throw notFound('tier_not_found', `No tier ${target.tierId}`);
    const owner = tier ? tier.id : PROGRAM_OWNER;
    const { input, branding } = await this.sampleInput(ctx, tiers, tier ?? null);
    const { key, draw } = await this.face(ctx, input, branding);
    const cached = await scope.artwork.preview(owner, key);
    if (cached) return { hash: key, data: cached };
    const data = await draw(signal);
    await scope.artwork.putPreview(owner, key, data, ctx.now);
    return { hash: key, data };
  }

  /**
   * What the shopper page shows of a customer: the Apple model (colours, tier, points) and how
   * far the customer is towards the next tier when that is a points threshold.
   */
  async shopperView(ctx: ProgramContext, customerId: string) {
    const scope = scopeOf(this.deps.store, ctx);
    const customer = await scope.customers.get(customerId);
    if (!customer) throw notFound('pass_link_invalid', 'This pass link is not valid');
    const { input, next } = await this.customerInput(ctx, customer, await scope.tiers.list());
    let ratio: number | null = null;
    const item = next?.missing.length === 1 ? next.missing[0] : undefined;
    if (next && item && (item.type === 'lifetimePoints' || item.type === 'carryPoints')) {
      const q = next.tier.qualifications.find((x) => x.type === item.type);
      if (q && 'minPoints' in q && q.minPoints > 0) ratio = 1 - item.missing / q.minPoints;
    }
    return { input, model: applePassModel(input), ratio };
  }

  /** The customer's card face (shopper page), cached in memory by content. */
  async card(ctx: ProgramContext, customerId: string, signal?: AbortSignal): Promise<FaceImage> {
    const scope = scopeOf(this.deps.store, ctx);
    const customer = await scope.customers.get(customerId);
    if (!customer) throw notFound('customer_not_found', `No customer ${customerId}`);
    const { input, branding } = await this.customerInput(ctx, customer, await scope.tiers.list());
    const { key, draw } = await this.face(ctx, input, branding);
    const cached = this.cards.get(key);
    if (cached) return { hash: key, data: cached };
    const data = await draw(signal);
    this.cards.set(key, data);
    return { hash: key, data };
  }

  /**
   * The content key of a face (model, colours and the hashes of the images drawn) and how to
   * draw it; image bytes are only read when it is drawn.
   */
  private async face(ctx: ProgramContext, input: PassModelInput, branding: Branding) {
    const model = applePassModel(input);
    const used = (['logo', 'strip'] as const).map((slot) => {
      const shown = branding.slots[slot];
      const file = branding.template.files[`${slot}@2x.png`];
      return shown ? `a:${shown.record.hash}` : file ? `t:${this.deps.branding.hashOf(file)}` : '-';
    });
    const key = createHash('sha256')
      .update(JSON.stringify({ v: LAYOUT_VERSION, model, used }))
      .digest('hex');
    const draw = async (signal?: AbortSignal) => {
      const images: FaceImages = {};
      for (const slot of ['logo', 'strip'] as const) {
        const found = await this.deps.branding.faceImage(
          ctx,
          branding,
          slot,
          `${slot}@2x.png`,
          `${slot}@2x.png`,
        );
        if (found) images[slot] = `data:image/png;base64,${found.data.toString('base64')}`;
      }
      return this.deps.renderer.renderPreview({ svg: appleFaceSvg(model, images) }, signal);
    };
    return { key, draw };
  }

  /** Same-origin URLs of the face images of `branding`. */
  private imageUrls(branding: Branding): SampleImages {
    const out: SampleImages = { logo: null, icon: null, strip: null, hero: null, googleLogo: null };
    for (const [key, slot, variant, templateFile] of FACE_SLOTS) {
      const shown = branding.slots[slot];
      if (shown?.record.variants.some((v) => v.name === variant)) {
        out[key] =
          shown.ownerId === PROGRAM_OWNER
            ? `/v1/program/artwork/${slot}/${variant}`
            : `/v1/tiers/${encodeURIComponent(shown.ownerId)}/artwork/${slot}/${variant}`;
        continue;
      }
      const data = templateFile ? branding.template.files[templateFile] : undefined;
      if (data) out[key] = `/v1/pass-template/images/${this.deps.branding.hashOf(data)}.png`;
    }
    return out;
  }
}
