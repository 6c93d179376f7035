/** HTTP routes of tier and program artwork and the pass previews. */
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { ApiRegistry, HandlerResult } from '../../http/route.js';
import { CONTENT_TYPES } from '../../integrations/images/image-sniffer.js';
import { RetryLaterError } from '../../integrations/images/image-work-pool.js';
import type { PassPreviewService } from '../passes/pass-preview.js';
import { tierIdParams } from '../tiers/tier-schemas.js';
import {
  artworkList,
  artworkSlotParams,
  artworkSlotView,
  artworkVariantParams,
  artworkView,
} from './artwork-schemas.js';
import type { ArtworkImage, ArtworkOwner, ArtworkService } from './artwork-service.js';

/** A PNG with its hash as a strong ETag; 304 when the client holds it already. */
export function sendPng(req: Request, res: Response, image: ArtworkImage): undefined {
  res.set({ ETag: `"${image.hash}"`, 'Cache-Control': 'private, no-cache' });
  if (req.fresh) res.status(304).end();
  else res.status(200).type('image/png').send(image.data);
  return undefined;
}

/** Aborts when the client closes the connection before the response is sent. */
export function clientGone(res: Response): AbortSignal {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}

/** Image work refused for load (503) carries `Retry-After`, which the error handler does not set. */
export async function retryLater(
  fn: () => Promise<HandlerResult | undefined>,
): Promise<HandlerResult | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof RetryLaterError)) throw err;
    return {
      status: err.status,
      headers: { 'Retry-After': String(err.retryAfterSeconds) },
      body: { error: { code: err.code, message: err.message } },
    };
  }
}

const png = {
  description: 'The PNG (ETag = content hash; 304 on If-None-Match)',
  contentType: 'image/png',
  schema: z.string().meta({ format: 'binary' }),
};

/** Slot params of the program's own artwork (no tier). */
const programSlotParams = artworkSlotParams.omit({ tierId: true });
const programVariantParams = artworkVariantParams.omit({ tierId: true });

/**
 * The artwork routes of the tiers (`/v1/tiers/{tierId}/…`) and of the program (`/v1/program/…`,
 * inherited by every tier, decision 0025): the same service, limits, rate limits and codes.
 */
export function registerArtworkRoutes(
  api: ApiRegistry,
  artwork: ArtworkService,
  previews: PassPreviewService,
): void {
  registerOwnerRoutes(api, artwork, {
    prefix: '/v1/tiers/:tierId',
    whose: "the tier's",
    slotParams: artworkSlotParams,
    variantParams: artworkVariantParams,
    listParams: tierIdParams,
    owner: (p: { tierId: string }) => ({ kind: 'tier', tierId: p.tierId }),
  });
  registerOwnerRoutes(api, artwork, {
    prefix: '/v1/program',
    whose: "the program's (every tier without its own inherits it)",
    slotParams: programSlotParams,
    variantParams: programVariantParams,
    listParams: z.object({}),
    owner: () => ({ kind: 'program' }),
  });
  api.add({
    method: 'get',
    path: '/v1/tiers/:tierId/preview.png',
    summary:
      "The tier's pass face (Apple) for a sample member who just entered it, drawn from the pass model with a real QR code",
    tag: 'Artwork',
    auth: 'apiKey',
    expensive: 'preview',
    params: tierIdParams,
    responses: { 200: png, 304: { description: 'Not modified' } },
    handler: ({ ctx, params, req, res }) =>
      retryLater(async () =>
        sendPng(
          req,
          res,
          await previews.preview(ctx, { kind: 'tier', tierId: params.tierId }, clientGone(res)),
        ),
      ),
  });
  api.add({
    method: 'get',
    path: '/v1/program/preview.png',
    summary: "The program's pass face (Apple) for a sample member without a tier, drawn from the pass model",
    tag: 'Artwork',
    auth: 'apiKey',
    expensive: 'preview',
    responses: { 200: png, 304: { description: 'Not modified' } },
    handler: ({ ctx, req, res }) =>
      retryLater(async () =>
        sendPng(req, res, await previews.preview(ctx, { kind: 'program' }, clientGone(res))),
      ),
  });
}

interface OwnerRoutes<S extends z.ZodType, V extends z.ZodType, L extends z.ZodType> {
  prefix: string;
  whose: string;
  slotParams: S;
  variantParams: V;
  listParams: L;
  owner(params: z.output<S> | z.output<V> | z.output<L>): ArtworkOwner;
}

function registerOwnerRoutes<S extends z.ZodType, V extends z.ZodType, L extends z.ZodType>(
  api: ApiRegistry,
  artwork: ArtworkService,
  o: OwnerRoutes<S, V, L>,
): void {
  api.add({
    method: 'put',
    path: `${o.prefix}/artwork/:slot`,
    summary: `Upload a slot image (logo, icon, strip, hero) of ${o.whose} artwork; renders every variant`,
    tag: 'Artwork',
    auth: 'apiKey',
    expensive: 'artwork-upload',
    params: o.slotParams,
    rawBody: {
      contentTypes: Object.values(CONTENT_TYPES),
      description: 'The image; its type is sniffed from the bytes and must match Content-Type',
      maxBytes: artwork.limits.maxBytes,
      tooLargeCode: 'artwork_too_large',
    },
    responses: { 200: { description: 'The stored slot and its variants', schema: artworkSlotView } },
    handler: ({ ctx, params, raw, req, res }) =>
      retryLater(async () => {
        const slot = await artwork.upload(
          ctx,
          o.owner(params),
          (params as { slot: string }).slot,
          raw ?? Buffer.alloc(0),
          req.get('content-type'),
          clientGone(res),
        );
        return { status: 200, body: artworkView(slot) };
      }),
  });
  api.add({
    method: 'get',
    path: `${o.prefix}/artwork`,
    summary: `The artwork slots of ${o.whose} and their variants`,
    tag: 'Artwork',
    auth: 'apiKey',
    params: o.listParams,
    responses: { 200: { description: 'Slots', schema: artworkList } },
    async handler({ ctx, params }) {
      return { status: 200, body: { data: (await artwork.list(ctx, o.owner(params))).map(artworkView) } };
    },
  });
  api.add({
    method: 'get',
    path: `${o.prefix}/artwork/:slot/:variant`,
    summary: `One rendered variant of ${o.whose} artwork as PNG`,
    tag: 'Artwork',
    auth: 'apiKey',
    params: o.variantParams,
    responses: { 200: png, 304: { description: 'Not modified' } },
    async handler({ ctx, params, req, res }) {
      const p = params as { slot: string; variant: string };
      return sendPng(req, res, await artwork.variant(ctx, o.owner(params), p.slot, p.variant));
    },
  });
  api.add({
    method: 'delete',
    path: `${o.prefix}/artwork/:slot`,
    summary: `Delete a slot image of ${o.whose} artwork and its variants`,
    tag: 'Artwork',
    auth: 'apiKey',
    params: o.slotParams,
    responses: { 204: { description: 'Deleted' } },
    async handler({ ctx, params }) {
      await artwork.remove(ctx, o.owner(params), (params as { slot: string }).slot);
      return { status: 204 };
    },
  });
}
