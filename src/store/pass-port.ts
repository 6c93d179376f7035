/** Storage of Apple Wallet pass identities (issue 4): part of the storage port, scoped by program. */

/** A customer's pass identity; serial and token never change once created. */
export interface PassRecord {
  /** The merchant's customer id. */
  customerId: string;
  /** Pass serial number: `<programId>.<random>`, unique across programs. */
  serial: string;
  /** SHA-256 (hex) of the authentication token devices present as `ApplePass <token>`. */
  authTokenHash: string;
  /**
   * The token itself, kept only for passes issued before tokens were derived (migration 021);
   * null for the others, whose token is derived from the serial.
   */
  legacyAuthToken: string | null;
  /** Content tag of the pass last served; null before the first build. */
  updateTag: string | null;
  /**
   * When the update tag last changed (the pass's Last-Modified): at least one second after the
   * previous change, so possibly up to a second ahead of the clock.
   */
  updatedAt: Date;
  /**
   * Position of the pass's last change (creation or update tag) in one counter shared by all
   * passes: every later change gets a greater number, whatever the clocks say. The web
   * service's "serials updated since" tag (migration 023).
   */
  changeSeq: number;
  /** When the pass was first requested. */
  createdAt: Date;
}

/** Pass identities of one program. */
export interface PassRepository {
  /** The customer's pass, or null before it is first requested. */
  get(customerId: string): Promise<PassRecord | null>;
  /** The pass with this serial, or null. */
  getBySerial(serial: string): Promise<PassRecord | null>;
  /**
   * The customer's pass, created with `candidate`'s serial and token hash when it has none;
   * concurrent callers all get the one stored record.
   */
  ensure(
    customerId: string,
    candidate: { serial: string; authTokenHash: string },
    now: Date,
  ): Promise<PassRecord>;
  /** Record a new update tag (no-op when it is already stored); returns the stored record. */
  setUpdateTag(customerId: string, tag: string, now: Date): Promise<PassRecord | null>;
  /**
   * `setUpdateTag` for many passes in one statement: returns the records it changed (a pass whose
   * stored tag already equals its new tag, or that does not exist, is not returned).
   */
  setUpdateTags(tags: readonly { customerId: string; tag: string }[], now: Date): Promise<PassRecord[]>;
  /**
   * Passes among `serials` whose `changeSeq` is greater than `since` (all of them when null),
   * oldest change first (web service).
   */
  updatedSince(serials: readonly string[], since: number | null): Promise<PassRecord[]>;
}
