/** HTTP routes of per-tier artwork and the pass preview. */
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { ApiRegistry, HandlerResult } from '../../http/route.js';
import { CONTENT_TYPES } from '../../integrations/images/image-sniffer.js';
import { RetryLaterError } from '../../integrations/images/image-work-pool.js';
import { tierIdParams } from '../tiers/tier-schemas.js';
import {
  artworkList,
  artworkSlotParams,
  artworkSlotView,
  artworkVariantParams,
  artworkView,
} from './artwork-schemas.js';
import type { ArtworkImage, ArtworkService } from './artwork-service.js';

/** A PNG with its hash as a strong ETag; 304 when the client holds it already. */
function sendPng(req: Request, res: Response, image: ArtworkImage): undefined {
  res.set({ ETag: `"${image.hash}"`, 'Cache-Control': 'private, no-cache' });
  if (req.fresh) res.status(304).end();
  else res.status(200).type('image/png').send(image.data);
  return undefined;
}

/** Aborts when the client closes the connection before the response is sent. */
function clientGone(res: Response): AbortSignal {
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}

/** Image work refused for load (503) carries `Retry-After`, which the error handler does not set. */
async function retryLater(fn: () => Promise<HandlerResult | undefined>): Promise<HandlerResult | undefined> {
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

export function registerArtworkRoutes(api: ApiRegistry, artwork: ArtworkService): void {
  api.add({
    method: 'put',
    path: '/v1/tiers/:tierId/artwork/:slot',
    summary: 'Upload a slot image (logo, icon, strip, hero); renders every variant',
    tag: 'Artwork',
    auth: 'apiKey',
    expensive: 'artwork-upload',
    params: artworkSlotParams,
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
          params.tierId,
          params.slot,
          raw ?? Buffer.alloc(0),
          req.get('content-type'),
          clientGone(res),
        );
        return { status: 200, body: artworkView(slot) };
      }),
  });
  api.add({
    method: 'get',
    path: '/v1/tiers/:tierId/artwork',
    summary: "The tier's artwork slots and their variants",
    tag: 'Artwork',
    auth: 'apiKey',
    params: tierIdParams,
    responses: { 200: { description: 'Slots', schema: artworkList } },
    async handler({ ctx, params }) {
      return { status: 200, body: { data: (await artwork.list(ctx, params.tierId)).map(artworkView) } };
    },
  });
  api.add({
    method: 'get',
    path: '/v1/tiers/:tierId/artwork/:slot/:variant',
    summary: 'One rendered variant as PNG',
    tag: 'Artwork',
    auth: 'apiKey',
    params: artworkVariantParams,
    responses: { 200: png, 304: { description: 'Not modified' } },
    async handler({ ctx, params, req, res }) {
      return sendPng(req, res, await artwork.variant(ctx, params.tierId, params.slot, params.variant));
    },
  });
  api.add({
    method: 'delete',
    path: '/v1/tiers/:tierId/artwork/:slot',
    summary: 'Delete a slot image and its variants',
    tag: 'Artwork',
    auth: 'apiKey',
    params: artworkSlotParams,
    responses: { 204: { description: 'Deleted' } },
    async handler({ ctx, params }) {
      await artwork.remove(ctx, params.tierId, params.slot);
      return { status: 204 };
    },
  });
  api.add({
    method: 'get',
    path: '/v1/tiers/:tierId/preview.png',
    summary: "Rendered preview of the tier's pass face",
    tag: 'Artwork',
    auth: 'apiKey',
    expensive: 'preview',
    params: tierIdParams,
    responses: { 200: png, 304: { description: 'Not modified' } },
    handler: ({ ctx, params, req, res }) =>
      retryLater(async () => sendPng(req, res, await artwork.preview(ctx, params.tierId, clientGone(res)))),
  });
}
