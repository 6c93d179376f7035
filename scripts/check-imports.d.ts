/** Types of scripts/check-imports.js (plain JavaScript: `npm run lint` runs it before anything is compiled). */

/** Layer of a repository-relative path, or undefined outside the checked tree. */
export function layerOf(path: string): string | undefined;
/** Why `from` may not import `to` (repository-relative paths), or undefined when it may. */
export function ruleBroken(from: string, to: string): string | undefined;
/** The relative specifiers a source text imports (static, type-only, re-exported or dynamic). */
export function importsOf(text: string): string[];
/** Every forbidden import of src/, scripts/ and console/src. */
export function violations(): string[];
