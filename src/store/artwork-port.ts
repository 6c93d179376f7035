/**
 * Storage of per-tier pass artwork (SPEC 7): per slot the uploaded source and its
 * rendered PNG variants, plus one cached preview per tier. Reached through
 * `ProgramScope.artwork`, so every query is scoped by program.
 */

/** One rendered image of a slot, without its bytes. */
export interface ArtworkVariantInfo {
  /** File name, e.g. `icon@2x.png` (Apple's pass bundle name) or `google-hero.png`. */
  name: string;
  /** Pixel width. */
  width: number;
  /** Pixel height. */
  height: number;
  /** Size of the PNG in bytes. */
  bytes: number;
}

/** A rendered variant with its PNG bytes. */
export interface ArtworkVariant extends ArtworkVariantInfo {
  /** The PNG. */
  data: Buffer;
}

/** What is stored for one slot of one tier. */
export interface ArtworkSlotRecord {
  /** The tier the slot belongs to. */
  tierId: string;
  /** `logo`, `icon`, `strip` or `hero`. */
  slot: string;
  /** SHA-256 (hex) of the uploaded bytes: the cache key of the rendering. */
  hash: string;
  /** Content type sniffed from the uploaded bytes. */
  contentType: string;
  /** Source pixel size as read from its header. */
  width: number;
  /** Source pixel height as read from its header. */
  height: number;
  /** The rendered variants, in render order. */
  variants: ArtworkVariantInfo[];
  /** When this upload was stored. */
  updatedAt: Date;
}

/** A slot to store: the record, the source bytes and the rendered variants. */
export interface NewArtworkSlot extends Omit<ArtworkSlotRecord, 'variants' | 'updatedAt'> {
  /** The uploaded bytes, kept so variants can be rendered again later. */
  source: Buffer;
  /** Every rendered variant. */
  variants: ArtworkVariant[];
}

/** A stored variant's bytes and the hash of the source it came from. */
export interface StoredImage {
  /** Source hash (the variant's ETag). */
  hash: string;
  /** The PNG. */
  data: Buffer;
}

export interface ArtworkRepository {
  /** The tier's slots, by slot name. */
  list(tierId: string): Promise<ArtworkSlotRecord[]>;
  /** One slot or null. */
  get(tierId: string, slot: string): Promise<ArtworkSlotRecord | null>;
  /** Another tier's slot of this program rendered from the same bytes, or null. */
  findByHash(slot: string, hash: string): Promise<ArtworkSlotRecord | null>;
  /** The slot's generation: how many times it was removed (0 at first). An upload reads it before rendering. */
  generation(tierId: string, slot: string): Promise<number>;
  /**
   * Replace the slot and all its variants atomically, if its generation is still `generation`;
   * else write nothing and return `'deleted'`. Checked and written in one transaction that a
   * concurrent `remove` of the slot waits for (or that waits for it).
   */
  put(slot: NewArtworkSlot, now: Date, generation: number): Promise<ArtworkSlotRecord | 'deleted'>;
  /**
   * Copy a slot (record, source, variants) from one tier to another, replacing it, under the
   * same condition on the target slot's generation as `put`; null when the source vanished.
   */
  copy(
    fromTierId: string,
    toTierId: string,
    slot: string,
    now: Date,
    generation: number,
  ): Promise<ArtworkSlotRecord | 'deleted' | null>;
  /** Delete a slot with its variants and bump its generation, also when there was none; false when there was none. */
  remove(tierId: string, slot: string): Promise<boolean>;
  /** One variant's PNG or null. */
  variant(tierId: string, slot: string, name: string): Promise<StoredImage | null>;
  /** Every variant's PNG of the tier, keyed by slot then name. */
  variants(tierId: string): Promise<{ slot: string; name: string; data: Buffer }[]>;
  /** The cached preview of the tier when it was made under `key`, else null. */
  preview(tierId: string, key: string): Promise<Buffer | null>;
  /** Cache the tier's preview under `key` (one per tier; replaces an older one). */
  putPreview(tierId: string, key: string, data: Buffer, now: Date): Promise<void>;
}
