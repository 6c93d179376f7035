/** The storeCard models under pass-templates/: a default and optional per-tier overrides, read once. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One model: pass.json keys and image files. */
export interface PassTemplate {
  /** pass.json of the model (for an override: only the keys it replaces). */
  passJson: Record<string, unknown>;
  /** Images by file name (`icon.png`, `logo@2x.png`). */
  files: Record<string, Buffer>;
}

/** The loaded templates. */
export interface PassTemplates {
  /** The default model. */
  readonly base: PassTemplate;
  /** Overrides by folder name under `tiers/` (a tier id or a title slug). */
  readonly tiers: ReadonlyMap<string, PassTemplate>;
}

/** No templates (an app built without passes or Google Wallet): designs and artwork only. */
export const EMPTY_TEMPLATES: PassTemplates = { base: { passJson: {}, files: {} }, tiers: new Map() };

/** `VIP Club` → `vip-club`: the override folder name of a tier title. */
export function tierSlug(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

async function readModel(dir: string): Promise<PassTemplate> {
  const names = (await readdir(dir)).filter((n) => n === 'pass.json' || n.endsWith('.png')).sort();
  const model: PassTemplate = { passJson: {}, files: {} };
  for (const name of names) {
    const content = await readFile(join(dir, name));
    if (name === 'pass.json') {
      const parsed: unknown = JSON.parse(content.toString('utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new Error(`${join(dir, name)} must hold a JSON object`);
      }
      model.passJson = parsed as Record<string, unknown>;
    } else model.files[name] = content;
  }
  return model;
}

/** Read `<root>/default` (pass.json and icon.png required) and every `<root>/tiers/<slug>`. */
export async function loadPassTemplates(root: string): Promise<PassTemplates> {
  const base = await readModel(join(root, 'default'));
  if (!base.files['icon.png'] || Object.keys(base.passJson).length === 0) {
    throw new Error(`${join(root, 'default')} needs pass.json and icon.png`);
  }
  const tiers = new Map<string, PassTemplate>();
  const tiersDir = join(root, 'tiers');
  const entries = await readdir(tiersDir, { withFileTypes: true }).catch(() => []);
  for (const e of entries.filter((d) => d.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    tiers.set(e.name, await readModel(join(tiersDir, e.name)));
  }
  return { base, tiers };
}

/** The model of a tier: its override (by id, then by title slug) merged over the default. */
export function templateFor(
  templates: PassTemplates,
  tier: { id: string; title: string } | null,
): PassTemplate {
  const override = tier
    ? (templates.tiers.get(tier.id) ?? templates.tiers.get(tierSlug(tier.title)))
    : undefined;
  if (!override) return templates.base;
  return {
    passJson: { ...templates.base.passJson, ...override.passJson },
    files: { ...templates.base.files, ...override.files },
  };
}
