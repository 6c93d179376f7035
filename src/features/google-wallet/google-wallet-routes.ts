/**
 * HTTP routes of Google Wallet: the merchant's save link, the shopper's save redirect, and the
 * public, content-addressed images Google fetches for classes.
 */
import { z } from 'zod';
import { notFound } from '../../errors.js';
import type { ApiRegistry } from '../../http/route.js';
import { customerIdParams } from '../customers/customer-schemas.js';
import { passTokenParams } from '../passes/pass-design-schemas.js';
import type { PassService } from '../passes/pass-service.js';
import { type GoogleWalletService, googleWalletOff } from './google-wallet-service.js';
import type { GoogleWalletStore } from './google-wallet-store.js';

const saveLinkView = z.object({
  saveUrl: z.string().describe('https://pay.google.com/gp/v/save/<JWT signed with the service account>'),
});
const hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hex digest');
const artworkImageParams = z.object({
  programId: z.string().min(1).max(64),
  tierId: z.string().min(1).max(64),
  hash: hex,
  name: z.enum(['google-program-logo.png', 'google-hero.png']),
});
const templateImageParams = z.object({
  file: z.string().regex(/^[0-9a-f]{64}\.png$/, 'must be <sha256>.png'),
});
const IMMUTABLE = 'public, max-age=31536000, immutable';
const png = { description: 'The PNG (immutable: the URL names its content hash)', contentType: 'image/png' };

export function registerGoogleWalletRoutes(
  api: ApiRegistry,
  deps: {
    google: GoogleWalletService | undefined;
    passes: PassService | undefined;
    store: GoogleWalletStore;
  },
): void {
  const { google, passes, store } = deps;
  api.add({
    method: 'get',
    path: '/v1/customers/:customerId/passes/google',
    summary:
      'A "Save to Google Wallet" link; the loyalty class and object are created through the Wallet API first',
    tag: 'Passes',
    auth: 'apiKey',
    params: customerIdParams,
    responses: {
      200: { description: 'The save link', schema: saveLinkView },
      404: { description: 'customer_not_found' },
      502: { description: 'google_wallet_unavailable (retry later) or google_wallet_rejected' },
      503: { description: 'google_wallet_not_configured: Google Wallet is off on this server' },
    },
    async handler({ ctx, params }) {
      if (!google) throw googleWalletOff();
      return { status: 200, body: await google.saveLink(ctx, params.customerId) };
    },
  });
  if (passes) {
    api.add({
      method: 'get',
      path: '/passes/:token/google',
      summary: 'Shopper link: creates the Google Wallet object, then redirects to its save page',
      tag: 'Passes',
      auth: 'none',
      credential: { kind: 'shopperLink', failureCode: 'pass_link_invalid' },
      params: passTokenParams,
      responses: {
        302: { description: 'Redirect to https://pay.google.com/gp/v/save/<JWT>' },
        404: { description: 'pass_link_invalid' },
        503: { description: 'google_wallet_not_configured' },
      },
      async handler({ params, res }) {
        if (!google) throw googleWalletOff();
        const { ctx, customerId } = await passes.openLink(params.token);
        const { saveUrl } = await google.saveLink(ctx, customerId);
        res.set('Cache-Control', 'no-store').redirect(302, saveUrl);
        return undefined;
      },
    });
  }
  api.add({
    method: 'get',
    path: '/wallet/google/images/:programId/:tierId/:hash/:name',
    summary: "A tier's Google Wallet image (program logo, hero), public for Google to fetch",
    tag: 'Passes',
    auth: 'none',
    params: artworkImageParams,
    responses: { 200: png, 404: { description: 'image_not_found' } },
    async handler({ params, res }) {
      const slot = params.name === 'google-hero.png' ? 'hero' : 'logo';
      const image = await store
        .scoped(params.programId)
        .artwork.variant(params.tierId, slot, params.name)
        .catch(() => null);
      // Only the content named by the URL: a replaced upload's old URL is gone.
      if (!image || image.hash !== params.hash) throw notFound('image_not_found', 'No such image');
      res.status(200).type('image/png').set('Cache-Control', IMMUTABLE).send(image.data);
      return undefined;
    },
  });
  api.add({
    method: 'get',
    path: '/wallet/google/images/template/:file',
    summary:
      'A pass-template logo rendered at 660 × 660 for classes without an uploaded logo, public for Google to fetch',
    tag: 'Passes',
    auth: 'none',
    params: templateImageParams,
    responses: { 200: png, 404: { description: 'image_not_found' } },
    async handler({ params, res }) {
      const data = await google?.templateImage(params.file.slice(0, -'.png'.length));
      if (!data) throw notFound('image_not_found', 'No such image');
      res.status(200).type('image/png').set('Cache-Control', IMMUTABLE).send(data);
      return undefined;
    },
  });
}
