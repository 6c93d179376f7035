/**
 * A Store decorator that remembers API key → live program for a short time, so an
 * authenticated request does not cost a database round trip (one of seven on the
 * order path; see BENCHMARKS.md).
 *
 * Correctness of program changes:
 * - A change made through a scope of this store (`program.update` / `setClock`, in or out
 *   of a transaction) drops the cached program once it is committed; a lookup that raced
 *   with the change is not stored (generation check), so the next request reads the change.
 * - A change made elsewhere (another instance, direct SQL, the undecorated store) is seen
 *   after at most `ttlMs`.
 * - A program deleted through this store is forgotten once the deletion is done.
 * - Test programs are never cached: their clock moves.
 * - Unknown keys are never cached (no negative entries).
 */
import type { ProgramRecord, ProgramRepository, ProgramScope, ProgramTx, Store } from './port.js';

export interface ProgramLookupCacheOptions {
  /** How long a looked-up live program is reused; 0 turns the cache off. */
  ttlMs: number;
  /** Most keys remembered; the cache starts over when full. */
  maxEntries?: number;
  /** Milliseconds clock (tests). */
  now?: () => number;
}

interface Entry {
  program: ProgramRecord;
  expires: number;
}

export function cacheProgramLookups(store: Store, opts: ProgramLookupCacheOptions): Store {
  if (opts.ttlMs <= 0) return store;
  const now = opts.now ?? Date.now;
  const maxEntries = opts.maxEntries ?? 10_000;
  const byKeyHash = new Map<string, Entry>();
  /** Bumped by every change: a lookup that started before a change must not be stored. */
  let generation = 0;

  function forget(programId: string): void {
    generation++;
    for (const [hash, entry] of byKeyHash) {
      if (entry.program.id === programId) byKeyHash.delete(hash);
    }
  }

  /** The repository with its writes reported through `changed`. */
  function watched<P extends ProgramRepository>(program: P, changed: () => void): P {
    return {
      ...program,
      update: (patch, at) => program.update(patch, at).finally(changed),
      setClock: (at) => program.setClock(at).finally(changed),
    };
  }

  function scoped(programId: string): ProgramScope {
    const base = store.scoped(programId);
    return {
      ...base,
      program: watched(base.program, () => forget(programId)),
      transaction<T>(fn: (tx: ProgramTx) => Promise<T>): Promise<T> {
        let wrote = false;
        const mark = () => {
          wrote = true;
        };
        // Forget again after commit (or rollback): a lookup between the write and the
        // commit still read the old row.
        return base
          .transaction((tx) => fn({ ...tx, program: watched(tx.program, mark) }))
          .finally(() => {
            if (wrote) forget(programId);
          });
      },
    };
  }

  return {
    ...store,
    scoped,
    // A deleted program's keys stop working at once through this store.
    deleteProgram: (programId) => store.deleteProgram(programId).finally(() => forget(programId)),
    async findProgramByApiKeyHash(hash) {
      const hit = byKeyHash.get(hash);
      if (hit && hit.expires > now()) return hit.program;
      const started = generation;
      const program = await store.findProgramByApiKeyHash(hash);
      if (program?.mode === 'live' && started === generation) {
        if (byKeyHash.size >= maxEntries) byKeyHash.clear();
        byKeyHash.set(hash, { program, expires: now() + opts.ttlMs });
      } else if (!program) {
        byKeyHash.delete(hash);
      }
      return program;
    },
  };
}
