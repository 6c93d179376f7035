/**
 * HTTP routes of program-wide branding and the designer's pass samples (decision 0025): the
 * program design, the pass sample of a tier or of the program, and the template images the
 * samples name.
 */
import { z } from 'zod';
import { notFound } from '../../errors.js';
import type { ApiRegistry } from '../../http/route.js';
import { tierIdParams } from '../tiers/tier-schemas.js';
import type { PassBranding } from './pass-branding.js';
import { passDesignSchema } from './pass-design-schemas.js';
import type { PassPreviewService } from './pass-preview.js';

/** A design as stored and returned (colours normalised to `rgb(r, g, b)`). */
const designOut = z.record(z.string(), z.unknown()).describe('A pass design (see PUT /v1/program/design)');
const programDesignView = z.object({ design: designOut });

const sampleQuery = z.object({
  customerId: z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe('A real customer: their pass as it would show; without it, a sample member'),
});

const imageUrl = z.string().nullable();
/** Response of the pass-sample endpoints: the input of `applePassModel`/`googlePassModel`. */
export const passSampleView = z.object({
  input: z
    .object({
      programName: z.string(),
      memberId: z.string(),
      memberName: z.string().nullable(),
      memberEmail: z.string().nullable().optional(),
      points: z.number(),
      tierName: z.string().nullable(),
      rewards: z.array(z.string()),
      progress: z.object({ en: z.string(), fr: z.string() }).nullable(),
      keep: z
        .string()
        .nullable()
        .optional()
        .describe('Cycle mode: what keeps the shown tier at the next boundary (the keep status headline)'),
      design: designOut.describe('The effective design: template < program design < tier design'),
      defaults: z.object({
        foregroundColor: z.string().optional(),
        backgroundColor: z.string().optional(),
        labelColor: z.string().optional(),
      }),
    })
    .describe('PassModelInput of src/features/passes/pass-model.ts'),
  baseDesign: designOut.describe(
    "What the own design is laid over: the program's design for a tier, {} for the program",
  ),
  ownDesign: designOut.describe("The tier's or the program's own stored design"),
  images: z
    .object({
      logo: imageUrl,
      icon: imageUrl,
      strip: imageUrl,
      hero: imageUrl,
      googleLogo: imageUrl,
    })
    .describe('Same-origin URLs of the effective artwork variants (tier > program > template)'),
  customerId: z.string().nullable(),
  tierShown: z
    .boolean()
    .describe(
      'False for a hidden tier (and the program): its passes show the program branding and no tier name',
    ),
});

const templateImageParams = z.object({
  file: z.string().regex(/^[0-9a-f]{64}\.png$/, 'must be <sha256>.png'),
});

export function registerBrandingRoutes(
  api: ApiRegistry,
  deps: { branding: PassBranding; previews: PassPreviewService },
): void {
  const { branding, previews } = deps;
  api.add({
    method: 'get',
    path: '/v1/program/design',
    summary: "The program's pass design, inherited by every tier (which may override it field by field)",
    tag: 'Passes',
    auth: 'apiKey',
    responses: { 200: { description: 'The stored design ({} when none)', schema: programDesignView } },
    async handler({ ctx }) {
      return { status: 200, body: { design: await branding.programDesign(ctx) } };
    },
  });
  api.add({
    method: 'put',
    path: '/v1/program/design',
    summary:
      "Set the program's pass design (colours, logo text, labels, texts); replaces the previous one and updates every pass",
    tag: 'Passes',
    auth: 'apiKey',
    body: passDesignSchema,
    responses: {
      200: { description: 'The stored design, colours as rgb(r, g, b)', schema: programDesignView },
    },
    async handler({ ctx, body }) {
      return { status: 200, body: { design: await branding.setProgramDesign(ctx, body) } };
    },
  });
  api.add({
    method: 'get',
    path: '/v1/tiers/:tierId/pass-sample',
    summary:
      "What the designer draws the tier's live preview from (applePassModel/googlePassModel input, designs, image URLs)",
    tag: 'Passes',
    auth: 'apiKey',
    params: tierIdParams,
    query: sampleQuery,
    responses: {
      200: { description: 'The sample', schema: passSampleView },
      404: { description: 'tier_not_found, customer_not_found' },
    },
    async handler({ ctx, params, query }) {
      const sample = await previews.sample(ctx, { kind: 'tier', tierId: params.tierId }, query.customerId);
      return { status: 200, body: sample };
    },
  });
  api.add({
    method: 'get',
    path: '/v1/program/pass-sample',
    summary:
      "What the designer draws the program's live preview from (a member without a tier, or a real customer)",
    tag: 'Passes',
    auth: 'apiKey',
    query: sampleQuery,
    responses: {
      200: { description: 'The sample', schema: passSampleView },
      404: { description: 'customer_not_found' },
    },
    async handler({ ctx, query }) {
      return { status: 200, body: await previews.sample(ctx, { kind: 'program' }, query.customerId) };
    },
  });
  api.add({
    method: 'get',
    path: '/v1/pass-template/images/:file',
    summary: 'A pass-templates/ image by content hash (the pass samples name them)',
    tag: 'Passes',
    auth: 'apiKey',
    params: templateImageParams,
    responses: {
      200: { description: 'The PNG (immutable: the URL names its content hash)', contentType: 'image/png' },
      404: { description: 'image_not_found' },
    },
    async handler({ params, res }) {
      const data = branding.templateImage(params.file.slice(0, -'.png'.length));
      if (!data) throw notFound('image_not_found', 'No such image');
      res
        .status(200)
        .type('image/png')
        .set('Cache-Control', 'private, max-age=31536000, immutable')
        .send(data);
      return undefined;
    },
  });
}
