/**
 * Artwork upload with progress: the raw image bytes PUT to the slot (the server sniffs the type
 * from the bytes and checks it matches Content-Type). `fetch` has no upload progress, so this one
 * request goes through XHR with the same CSRF header and error parsing as the API client.
 */
import type { z } from 'zod';
import type { artworkSlotView } from '../../../../src/features/artwork/artwork-schemas.js';
import { SLOT_SPECS, type Slot } from '../../../../src/features/artwork/artwork-slots.js';
import { apiErrorOf, writeHeaders } from '../../api/client';

/** One stored slot (GET …/artwork). */
export type ArtworkSlotView = z.output<typeof artworkSlotView>;

/** Content types the server accepts for artwork (image-sniffer's CONTENT_TYPES). */
export const ACCEPTED_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/svg+xml'] as const;

const BY_EXTENSION: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  svg: 'image/svg+xml',
};

/** The Content-Type to send for a file: its own type, else from the extension ('' when unknown). */
export function contentTypeOf(file: File): string {
  if ((ACCEPTED_TYPES as readonly string[]).includes(file.type)) return file.type;
  const ext = file.name.split('.').pop()?.toLowerCase() ?? '';
  return BY_EXTENSION[ext] ?? file.type;
}

/** Size guidance of a slot, from the server's SLOT_SPECS (minimums) and where Wallet shows it. */
export function slotGuidance(slot: Slot): string {
  const spec = SLOT_SPECS[slot];
  const min = `at least ${spec.minWidth}×${spec.minHeight} px`;
  const at1x = spec.targets.find((t) => t.name === `${slot}.png`);
  const google = spec.targets.find((t) => t.name.startsWith('google-'));
  const shown =
    slot === 'logo' && at1x
      ? `shown at most ${at1x.width}×${at1x.height} pt on Apple Wallet and in a circle on Google Wallet`
      : slot === 'icon' && at1x
        ? `square, shown ${at1x.width}×${at1x.height} pt (notifications, Google's logo circle when there is no logo)`
        : at1x
          ? `shown ${at1x.width}×${at1x.height} pt behind the points on Apple Wallet`
          : google
            ? `shown ${google.width}×${google.height} px at the foot of the Google Wallet pass`
            : '';
  return `${min}, ${shown}; PNG, JPEG, WebP or SVG`;
}

/** PUT the file to `${base}/artwork/${slot}`; `onProgress` gets 0…1 while the bytes go up. */
export function uploadArtwork(
  base: string,
  slot: Slot,
  file: File,
  onProgress: (fraction: number) => void,
): Promise<ArtworkSlotView> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', `${base}/artwork/${slot}`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Content-Type', contentTypeOf(file) || 'application/octet-stream');
    for (const [name, value] of Object.entries(writeHeaders())) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new Error('The upload failed: the network connection was lost.'));
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(JSON.parse(xhr.responseText) as ArtworkSlotView);
        } catch (err) {
          reject(err);
        }
        return;
      }
      apiErrorOf(xhr.status, xhr.statusText, xhr.responseText, xhr.getResponseHeader('Retry-After')).then(
        reject,
        reject,
      );
    };
    xhr.send(file);
  });
}

/** The variant shown as the slot's thumbnail (the @2x Apple image, else the first one). */
export function thumbnailVariant(view: ArtworkSlotView): string | null {
  return view.variants.find((v) => v.name.includes('@2x'))?.name ?? view.variants[0]?.name ?? null;
}
