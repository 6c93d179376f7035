/** A bounded least-recently-used map of built passes (Map keeps insertion order; a hit re-inserts). */
export class LruCache<V> {
  private readonly entries = new Map<string, V>();

  /** `capacity` 0 stores nothing. */
  constructor(private readonly capacity: number) {}

  /** The value, marked as most recently used; undefined on a miss. */
  get(key: string): V | undefined {
    const v = this.entries.get(key);
    if (v === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, v);
    return v;
  }

  /** Store, evicting the least recently used entries beyond the capacity. */
  set(key: string, value: V): void {
    if (this.capacity === 0) return;
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** Entries held. */
  get size(): number {
    return this.entries.size;
  }
}
