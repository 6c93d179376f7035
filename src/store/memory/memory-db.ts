/**
 * The in-memory adapter's data and its units of work (docs/decisions/0037). Every table is a Map
 * of immutable records: a write replaces a record, never changes it in place, so a reader's copy
 * never moves and a unit of work can be undone by putting the previous records back.
 *
 * - Atomicity: each write inside a unit records its inverse in the unit's undo log; a unit that
 *   throws replays the log backwards. An undo step only restores a record that is still the one
 *   the unit wrote (locks make that the normal case).
 * - Locks: `customers.lock` and `program.lock` take a keyed mutex held until the unit ends.
 * - Uniqueness: a check and the insert that follows it run in one synchronous step (JavaScript
 *   runs one step at a time), so a natural key is never inserted twice.
 * - Time: "database time" (leases, createdAt) comes from the store's clock, real time unless a
 *   test gives another.
 */

/** One unit of work: its undo log, its locks, and what it queued (told after commit). */
export class MemoryTx {
  private readonly undo: (() => void)[] = [];
  private readonly held: (() => void)[] = [];
  private readonly heldKeys = new Set<string>();
  queued = false;
  delivering = false;

  constructor(private readonly locks: KeyedLocks) {}

  /** Record how to undo one write. */
  onRollback(step: () => void): void {
    this.undo.push(step);
  }

  /** Take `key`'s lock until this unit ends (re-entrant within the unit). */
  async lock(key: string): Promise<void> {
    if (this.heldKeys.has(key)) return;
    this.heldKeys.add(key);
    this.held.push(await this.locks.acquire(key));
  }

  rollback(): void {
    for (let i = this.undo.length - 1; i >= 0; i--) this.undo[i]?.();
    this.undo.length = 0;
  }

  release(): void {
    for (const release of this.held.splice(0)) release();
    this.heldKeys.clear();
  }
}

/** Mutexes by key, granted in request order. */
export class KeyedLocks {
  private readonly tails = new Map<string, Promise<void>>();

  async acquire(key: string): Promise<() => void> {
    const before = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = before.then(() => mine);
    this.tails.set(key, tail);
    await before;
    return () => {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
  }
}

/**
 * The lock a write takes on what it writes, as a database's row and unique-index locks do: held
 * until the unit ends, so another unit's write of the same row or key waits for its commit or
 * rollback. Outside a unit (one-statement methods) there is nothing to wait for.
 */
export async function writeLock(tx: MemoryTx | null, ...parts: string[]): Promise<void> {
  if (tx) await tx.lock(parts.join('\u0000'));
}

/** The lock key of one customer of one program (`customers.lock` and every write of the row). */
export function customerLock(programId: string, customerId: string): string[] {
  return ['customer', programId, customerId];
}

/** Set `map[key] = value`, undone with `tx` (when there is one). */
export function put<K, V>(tx: MemoryTx | null, map: Map<K, V>, key: K, value: V): void {
  const had = map.has(key);
  const prev = map.get(key);
  map.set(key, value);
  tx?.onRollback(() => {
    if (map.get(key) !== value) return;
    if (had) map.set(key, prev as V);
    else map.delete(key);
  });
}

/** Delete `map[key]`, undone with `tx` (when there is one). */
export function del<K, V>(tx: MemoryTx | null, map: Map<K, V>, key: K): boolean {
  if (!map.has(key)) return false;
  const prev = map.get(key) as V;
  map.delete(key);
  tx?.onRollback(() => {
    if (!map.has(key)) map.set(key, prev);
  });
  return true;
}

/** A deep copy for callers (Dates, arrays, plain objects and Buffers), so no caller holds a stored record. */
export function copy<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (Buffer.isBuffer(value)) return Buffer.from(value) as T;
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, copy(v)])) as T;
  if (Array.isArray(value)) return value.map(copy) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = copy(v);
  return out as T;
}

/** Monotonic numeric ids (like database sequences: never reused, not rolled back). */
export class Sequence {
  private last = 0;
  next(): number {
    this.last += 1;
    return this.last;
  }
}

/** Decimal-string id cursor check (the PostgreSQL adapter's bigint cursors). */
export function idCursor(cursor: string | undefined): number | null {
  if (cursor === undefined) return null;
  if (!/^\d{1,19}$/.test(cursor)) throw new RangeError('invalid cursor');
  return Number(cursor);
}

export function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
}
