/**
 * How a feature reaches storage (docs/decisions/0036): it declares the small scope it needs beside
 * its service (`features/<name>/<name>-store.ts`) and receives a `ScopedStore` of that scope through
 * its constructor. The adapter binds the program: no repository method takes a program id, and a
 * scope can only ever see its own program's rows. Every adapter's `Store` is a `ScopedStore` of
 * the whole `ProgramScope`, so it satisfies every feature's narrower one.
 */
export interface ScopedStore<Scope> {
  /** One program's repositories. */
  scoped(programId: string): Scope;
}
