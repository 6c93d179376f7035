/** Types of scripts/build.js (plain JavaScript: it runs before anything is compiled). */

/** Hash of the names and contents of every server build input. */
export function sourceHash(): string;
/** True when dist/ is missing or was built from other sources than the current ones. */
export function buildNeeded(): boolean;
/** Compile src/ into an empty dist/; throws on failure. */
export function build(): void;
/** True when the project has a console to build (console/vite.config.ts and console/index.html). */
export function hasConsole(): boolean;
/** Hash of every input of the console build. */
export function consoleSourceHash(): string;
/** True when there is a console and console/dist is missing or was built from other sources. */
export function consoleBuildNeeded(): boolean;
/** Build the console with Vite into console/dist; throws on failure. */
export function buildConsole(): void;
