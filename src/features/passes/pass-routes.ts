/** HTTP routes of passes: the merchant's pass and link, the shopper's page, the tier design. */
import type { Request, Response } from 'express';
import type { ApiRegistry } from '../../http/route.js';
import { clientGone, retryLater, sendPng } from '../artwork/artwork-routes.js';
import { customerIdParams } from '../customers/customer-schemas.js';
import { tierIdParams } from '../tiers/tier-schemas.js';
import type { TierService } from '../tiers/tier-service.js';
import { type PassConditions, passEtag } from './pass-conditions.js';
import { designView, passDesignSchema, passLinkView, passTokenParams } from './pass-design-schemas.js';
import { passPage } from './pass-page.js';
import type { PassPreviewService } from './pass-preview.js';
import type { PassResult, PassService } from './pass-service.js';

export const PKPASS = 'application/vnd.apple.pkpass';
export const CONDITIONAL_HEADERS = [
  { name: 'If-None-Match', required: false, description: 'ETag of the copy held; 304 when current' },
  {
    name: 'If-Modified-Since',
    required: false,
    description: 'Last-Modified of the copy held; 304 when current',
  },
];

/** The conditional headers of a pass request. */
export function conditions(req: Request): PassConditions {
  return {
    ifNoneMatch: req.get('If-None-Match') ?? undefined,
    ifModifiedSince: req.get('If-Modified-Since') ?? undefined,
  };
}

/** A pass answer with ETag / Last-Modified: 304, or the pkpass. */
export function sendPass(res: Response, pass: PassResult): undefined {
  res.set({
    ETag: passEtag(pass.updateTag),
    'Last-Modified': pass.lastModified.toUTCString(),
    'Cache-Control': 'private, no-cache',
  });
  if (pass.notModified) {
    res.status(304).end();
    return undefined;
  }
  res
    .status(200)
    .set({ 'Content-Type': PKPASS, 'Content-Disposition': 'attachment; filename="pass.pkpass"' })
    .end(pass.body);
  return undefined;
}

export function registerPassRoutes(
  api: ApiRegistry,
  passes: PassService,
  tiers: TierService,
  /** Faces drawn from the pass model (the shopper page's card). */
  previews: PassPreviewService,
  /** `google`: Google Wallet is configured, so the shopper page links to its save redirect. */
  opts: { google?: boolean } = {},
): void {
  api.add({
    method: 'put',
    path: '/v1/tiers/:tierId/design',
    summary: "Set the tier's pass design (colours, logo text, labels, texts); replaces the previous one",
    tag: 'Passes',
    auth: 'apiKey',
    params: tierIdParams,
    body: passDesignSchema,
    responses: { 200: { description: 'The stored design, colours as rgb(r, g, b)', schema: designView } },
    async handler({ ctx, params, body }) {
      const tier = await tiers.setDesign(ctx, params.tierId, body);
      return { status: 200, body: { tierId: tier.id, design: tier.design } };
    },
  });
  api.add({
    method: 'get',
    path: '/v1/customers/:customerId/passes/apple',
    summary: "The customer's Apple Wallet pass",
    tag: 'Passes',
    auth: 'apiKey',
    params: customerIdParams,
    headers: CONDITIONAL_HEADERS,
    responses: {
      200: { description: 'Signed pass (ETag = update tag, Last-Modified)', contentType: PKPASS },
      304: { description: 'Not modified since If-None-Match / If-Modified-Since' },
    },
    async handler({ ctx, params, req, res }) {
      return sendPass(res, await passes.fetchApplePass(ctx, params.customerId, conditions(req)));
    },
  });
  api.add({
    method: 'get',
    path: '/v1/customers/:customerId/passes/link',
    summary: 'A signed shopper link to the pass download page (opens without an API key)',
    tag: 'Passes',
    auth: 'apiKey',
    params: customerIdParams,
    responses: { 200: { description: 'The link', schema: passLinkView } },
    async handler({ ctx, params }) {
      return { status: 200, body: await passes.shopperLink(ctx, params.customerId) };
    },
  });
  api.add({
    method: 'get',
    path: '/passes/:token',
    summary:
      'Shopper page of a pass link: "Add to Apple Wallet" (and "Save to Google Wallet" when configured)',
    tag: 'Passes',
    auth: 'none',
    credential: { kind: 'shopperLink', failureCode: 'pass_link_invalid' },
    params: passTokenParams,
    responses: { 200: { description: 'HTML page', contentType: 'text/html' } },
    async handler({ params, res }) {
      const { ctx, customerId } = await passes.openLink(params.token);
      const { input, model, ratio } = await previews.shopperView(ctx, customerId);
      const base = `/passes/${encodeURIComponent(params.token)}`;
      res
        .status(200)
        .type('html')
        .set({ 'Cache-Control': 'private, no-cache', 'Referrer-Policy': 'no-referrer' })
        .send(
          passPage({
            programName: ctx.program.name,
            backgroundColor: model.backgroundColor,
            foregroundColor: model.foregroundColor,
            tierName: input.tierName,
            points: input.points,
            progress: input.progress?.en ?? null,
            progressRatio: ratio,
            cardUrl: `${base}/card.png`,
            appleUrl: `${base}/apple.pkpass`,
            googleUrl: opts.google ? `${base}/google` : undefined,
          }),
        );
      return undefined;
    },
  });
  api.add({
    method: 'get',
    path: '/passes/:token/card.png',
    summary: "The customer's card face as PNG (the same face as the previews), for the shopper page",
    tag: 'Passes',
    auth: 'none',
    credential: { kind: 'shopperLink', failureCode: 'pass_link_invalid' },
    expensive: 'preview',
    params: passTokenParams,
    responses: {
      200: { description: 'PNG (ETag = content hash; 304 on If-None-Match)', contentType: 'image/png' },
      304: { description: 'Not modified' },
    },
    handler: ({ params, req, res }) =>
      retryLater(async () => {
        const { ctx, customerId } = await passes.openLink(params.token);
        return sendPng(req, res, await previews.card(ctx, customerId, clientGone(res)));
      }),
  });
  api.add({
    method: 'get',
    path: '/passes/:token/apple.pkpass',
    summary: 'The Apple Wallet pass of a pass link',
    tag: 'Passes',
    auth: 'none',
    credential: { kind: 'shopperLink', failureCode: 'pass_link_invalid' },
    params: passTokenParams,
    headers: CONDITIONAL_HEADERS,
    responses: {
      200: { description: 'Signed pass', contentType: PKPASS },
      304: { description: 'Not modified since If-None-Match / If-Modified-Since' },
    },
    async handler({ params, req, res }) {
      const { ctx, customerId } = await passes.openLink(params.token);
      return sendPass(res, await passes.fetchApplePass(ctx, customerId, conditions(req)));
    },
  });
}
