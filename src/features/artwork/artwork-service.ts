/**
 * Per-tier artwork (SPEC 7): validated uploads rendered once per content hash, the
 * stored variants, the pass-face preview, and the Apple pass images the passes feature
 * bundles (see docs/decisions/0010-artwork.md).
 */
import { createHash } from 'node:crypto';
import { notFound } from '../../errors.js';
import type { PassFaceRenderer } from '../../integrations/images/pass-face-renderer.js';
import type { ProgramContext } from '../../program-context.js';
import type { ArtworkSlotRecord } from '../../store/artwork-port.js';
import { PROGRAM_OWNER } from '../passes/pass-branding.js';
import { isSlot, SLOT_SPECS, type Slot } from './artwork-slots.js';
import type { ArtworkStore } from './artwork-store.js';
import { type ArtworkLimits, DEFAULT_ARTWORK_LIMITS, validateUpload } from './artwork-validation.js';
import { SlotUploads, uploadCancelled } from './slot-uploads.js';

/** A PNG with its ETag. */
export interface ArtworkImage {
  /** Strong validator: the source hash (variants) or the preview's cache key. */
  hash: string;
  /** The PNG. */
  data: Buffer;
}

export interface ArtworkServiceDeps {
  /** The artwork slots of each program. */
  store: ArtworkStore;
  /** Does the image work. */
  renderer: PassFaceRenderer;
  /** Upload limits (defaults: 5 MB, 25 megapixels). */
  limits?: ArtworkLimits;
}

/**
 * Runs a write of the upload, given the slot's generation read before rendering, unless it was
 * cancelled in this process; a write the store refused (`'deleted'`: the slot was deleted since,
 * by any process) becomes 409 `artwork_upload_cancelled`.
 */
type Write = <T>(fn: (generation: number) => Promise<T | 'deleted'>) => Promise<T>;

/** Whose artwork: a tier's, or the program's own (inherited by every tier, decision 0025). */
export type ArtworkOwner = { kind: 'tier'; tierId: string } | { kind: 'program' };

/** The artwork tables' owner id of `owner`. */
export function ownerId(owner: ArtworkOwner): string {
  return owner.kind === 'program' ? PROGRAM_OWNER : owner.tierId;
}

function ownerName(owner: ArtworkOwner): string {
  return owner.kind === 'program' ? 'The program' : `Tier ${owner.tierId}`;
}

function slotOf(value: string): Slot {
  if (!isSlot(value)) throw notFound('artwork_slot_not_found', `No artwork slot ${value}`);
  return value;
}

export class ArtworkService {
  /** Image work (also used by the pass previews, so one pool bounds all of it). */
  readonly renderer: PassFaceRenderer;
  private readonly uploads = new SlotUploads();
  /** Upload limits; the upload route reads `maxBytes` from here. */
  readonly limits: ArtworkLimits;
  private readonly store: ArtworkStore;

  constructor(deps: ArtworkServiceDeps) {
    this.store = deps.store;
    this.renderer = deps.renderer;
    this.limits = deps.limits ?? DEFAULT_ARTWORK_LIMITS;
  }

  /** The owner's id in the store; 404 `tier_not_found` for a tier that does not exist (here). */
  private async owner(ctx: ProgramContext, owner: ArtworkOwner): Promise<string> {
    if (owner.kind === 'tier' && !(await this.store.scoped(ctx.program.id).tiers.get(owner.tierId))) {
      throw notFound('tier_not_found', `No tier ${owner.tierId}`);
    }
    return ownerId(owner);
  }

  /**
   * Validate and store an upload. The same bytes as the slot already holds render
   * nothing; bytes another tier's slot already rendered are copied from it. Abandoned,
   * with nothing stored, when `signal` aborts (the client went away) or a DELETE of the
   * slot comes in while it renders (in this process: the render is killed at once; in
   * another: the write is refused by the slot's generation).
   */
  async upload(
    ctx: ProgramContext,
    owner: ArtworkOwner,
    slotName: string,
    bytes: Buffer,
    declaredType: string | undefined,
    signal?: AbortSignal,
  ): Promise<ArtworkSlotRecord> {
    const slot = slotOf(slotName);
    const tierId = await this.owner(ctx, owner);
    const key = `${ctx.program.id}/${tierId}/${slot}`;
    const upload = this.uploads.begin(key, signal);
    try {
      // Read before any render, so every DELETE answered after this point bumps past it.
      const generation = await this.store.scoped(ctx.program.id).artwork.generation(tierId, slot);
      // The write and a DELETE's removal never interleave; a cancelled upload writes nothing.
      const write: Write = (fn) =>
        this.uploads.exclusive(key, async () => {
          upload.throwIfCancelled();
          const result = await fn(generation);
          if (result === 'deleted') throw uploadCancelled();
          return result;
        });
      return await this.validateAndStore(ctx, tierId, slot, bytes, declaredType, upload.signal, write);
    } finally {
      upload.end();
    }
  }

  private async validateAndStore(
    ctx: ProgramContext,
    tierId: string,
    slot: Slot,
    bytes: Buffer,
    declaredType: string | undefined,
    signal: AbortSignal,
    write: Write,
  ): Promise<ArtworkSlotRecord> {
    const spec = SLOT_SPECS[slot];
    const image = await validateUpload(bytes, declaredType, spec, this.limits, this.renderer, signal);
    const hash = createHash('sha256').update(bytes).digest('hex');
    const repo = this.store.scoped(ctx.program.id).artwork;
    const current = await repo.get(tierId, slot);
    if (current?.hash === hash) return current;
    const donor = await repo.findByHash(slot, hash);
    if (donor) {
      const copied = await write((generation) => repo.copy(donor.tierId, tierId, slot, ctx.now, generation));
      if (copied) return this.passesShow(ctx, tierId, copied);
    }
    const variants = await this.renderer.renderVariants(image.source, spec.targets, signal);
    const stored = await write((generation) =>
      repo.put(
        {
          tierId,
          slot,
          hash,
          contentType: image.contentType,
          width: image.width,
          height: image.height,
          source: bytes,
          variants: variants.map((v) => ({ ...v, bytes: v.data.length })),
        },
        ctx.now,
        generation,
      ),
    );
    return this.passesShow(ctx, tierId, stored);
  }

  /** Stop the renderer's helper processes (at shutdown). */
  close(): Promise<void> {
    return this.renderer.close();
  }

  /**
   * Queue the wallet pass updates of the passes showing the artwork: the tier's members, or
   * every pass of the program for program artwork (each tier without its own slot inherits it).
   */
  private async passesShow<T>(ctx: ProgramContext, tierId: string, result: T): Promise<T> {
    const scope = tierId === PROGRAM_OWNER ? undefined : { tierId };
    await this.store.scoped(ctx.program.id).transaction((tx) => tx.outbox.passesChanged(scope));
    return result;
  }

  /** The owner's slots with their variants. */
  async list(ctx: ProgramContext, owner: ArtworkOwner): Promise<ArtworkSlotRecord[]> {
    return this.store.scoped(ctx.program.id).artwork.list(await this.owner(ctx, owner));
  }

  /** One rendered variant, e.g. `strip@2x.png`. */
  async variant(
    ctx: ProgramContext,
    owner: ArtworkOwner,
    slotName: string,
    name: string,
  ): Promise<ArtworkImage> {
    const slot = slotOf(slotName);
    const tierId = await this.owner(ctx, owner);
    const { artwork } = this.store.scoped(ctx.program.id);
    const found = await artwork.variant(tierId, slot, name);
    if (found) return found;
    if (!(await artwork.get(tierId, slot))) {
      throw notFound('artwork_not_found', `${ownerName(owner)} has no ${slot} artwork`);
    }
    throw notFound('artwork_variant_not_found', `The ${slot} artwork has no variant ${name}`);
  }

  /** Delete a slot and its variants; uploads of the slot still rendering are cancelled. */
  async remove(ctx: ProgramContext, owner: ArtworkOwner, slotName: string): Promise<void> {
    const slot = slotOf(slotName);
    const tierId = await this.owner(ctx, owner);
    const key = `${ctx.program.id}/${tierId}/${slot}`;
    this.uploads.cancel(key);
    const removed = await this.uploads.exclusive(key, async () => {
      this.uploads.cancel(key);
      return this.store.scoped(ctx.program.id).artwork.remove(tierId, slot);
    });
    if (!removed) {
      throw notFound('artwork_not_found', `${ownerName(owner)} has no ${slot} artwork`);
    }
    await this.passesShow(ctx, tierId, undefined);
  }
}
