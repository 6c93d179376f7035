/** HTTP routes of per-tier artwork and the pass preview. */
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { ApiRegistry } from '../../http/route.js';
import { CONTENT_TYPES } from '../../integrations/images/image-sniffer.js';
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
    async handler({ ctx, params, raw, req }) {
      const slot = await artwork.upload(
        ctx,
        params.tierId,
        params.slot,
        raw ?? Buffer.alloc(0),
        req.get('content-type'),
      );
      return { status: 200, body: artworkView(slot) };
    },
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
    async handler({ ctx, params, req, res }) {
      return sendPng(req, res, await artwork.preview(ctx, params.tierId));
    },
  });
}
