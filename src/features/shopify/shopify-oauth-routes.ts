/** HTTP routes of the Shopify OAuth install (docs/decisions/0047, docs/shopify.md). */
import { z } from 'zod';
import { AppError } from '../../errors.js';
import type { ApiRegistry } from '../../http/route.js';
import { CALLBACK_PATH, consoleInstallUrl, INSTALL_PATH, type ShopifyOAuth } from './shopify-oauth.js';
import { connectionView, SHOP_DOMAIN } from './shopify-schemas.js';

const installLinkBody = z.strictObject({
  shopDomain: z
    .string()
    .trim()
    .toLowerCase()
    .regex(SHOP_DOMAIN, 'must be the shop’s <name>.myshopify.com domain')
    .describe('The shop to install into this program'),
});

const installLinkView = z.object({
  url: z.string().describe('Open in the browser of someone who may install apps on the shop'),
  expiresAt: z.string(),
});

const appView = z.object({
  installThroughShopify: z
    .boolean()
    .describe(
      'True when the operator configured a Shopify app (SHOPIFY_API_KEY/SECRET, PUBLIC_URL): shops can be connected by an install link instead of a custom app’s token',
    ),
  scopes: z.array(z.string()).describe('The scopes an install asks for (empty when unavailable)'),
});

const installQuery = z.object({
  shop: z.string().max(255).optional().describe('<name>.myshopify.com'),
  link: z.string().max(1024).optional().describe('The signed install link token'),
});

const callbackQuery = z.object({
  shop: z.string().max(255).optional(),
  code: z.string().max(512).optional(),
  state: z.string().max(1024).optional(),
  hmac: z
    .string()
    .max(128)
    .optional()
    .describe('hex HMAC-SHA256 of the other parameters under the app secret'),
  host: z.string().max(1024).optional(),
  timestamp: z.string().max(32).optional(),
});

/** The query exactly as sent (the hmac is over it), not as a query parser reshaped it. */
function rawQuery(originalUrl: string): URLSearchParams {
  const at = originalUrl.indexOf('?');
  return new URLSearchParams(at < 0 ? '' : originalUrl.slice(at + 1));
}

export function registerShopifyOAuthRoutes(api: ApiRegistry, oauth: ShopifyOAuth): void {
  api.add({
    method: 'get',
    path: '/v1/integrations/shopify/app',
    summary: 'Whether shops can be installed through the operator’s Shopify app (OAuth) here',
    tag: 'Integrations',
    auth: 'apiKey',
    responses: { 200: { description: 'What the operator configured', schema: appView } },
    async handler() {
      return { status: 200, body: oauth.availability() };
    },
  });
  api.add({
    method: 'post',
    path: '/v1/integrations/shopify/install-link',
    summary:
      'An install link (24 h) that connects a shop to this program through the operator’s Shopify app (OAuth)',
    tag: 'Integrations',
    auth: 'apiKey',
    body: installLinkBody,
    responses: { 201: { description: 'The link', schema: installLinkView } },
    async handler({ ctx, body }) {
      return { status: 201, body: oauth.installLink(ctx, body.shopDomain) };
    },
  });
  api.add({
    method: 'get',
    path: INSTALL_PATH,
    summary:
      'Start the OAuth install: the install link is checked and the browser sent to the shop’s authorization page',
    tag: 'Integrations',
    auth: 'none',
    query: installQuery,
    responses: {
      302: { description: 'Redirect to https://{shop}/admin/oauth/authorize' },
      400: { description: 'Not a myshopify.com shop, or the link is altered, expired or for another shop' },
    },
    async handler({ req }) {
      return { status: 302, headers: { Location: oauth.authorizeUrl(rawQuery(req.originalUrl)) } };
    },
  });
  api.add({
    method: 'get',
    path: CALLBACK_PATH,
    summary:
      'Shopify’s OAuth redirect: hmac, state and shop checked, the code exchanged for an offline token, the shop connected as PUT /v1/integrations/shopify does',
    tag: 'Integrations',
    auth: 'none',
    query: callbackQuery,
    responses: {
      302: {
        description:
          'A browser (anything but a client asking for JSON only) is sent to the console’s Shopify page: `/console/shopify?install=connected&shop=…`, or `?install=failed&error=<code>` with the code the JSON answer would carry',
      },
      200: { description: 'Connected (Accept: application/json)', schema: connectionView },
      401: { description: 'The hmac does not match (Accept: application/json)' },
      400: {
        description:
          'Not a myshopify.com shop, or the state is altered, expired or for another shop (Accept: application/json)',
      },
    },
    async handler({ req }) {
      const query = rawQuery(req.originalUrl);
      if (req.accepts(['html', 'json']) === 'json') {
        return { status: 200, body: await oauth.callback(query) };
      }
      // The merchant's browser, back from Shopify: the console says how the install ended.
      try {
        await oauth.callback(query);
        const shop = query.get('shop') ?? '';
        return { status: 302, headers: { Location: consoleInstallUrl({ install: 'connected', shop }) } };
      } catch (err) {
        // Anything unexpected (the database gone) stays a 5xx, logged as such.
        if (!(err instanceof AppError)) throw err;
        return {
          status: 302,
          headers: { Location: consoleInstallUrl({ install: 'failed', error: err.code }) },
        };
      }
    },
  });
}
