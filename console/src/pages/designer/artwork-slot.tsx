/**
 * One artwork slot (logo, icon, strip, hero): its size guidance, the current image, a drop zone
 * and a real file input, upload progress, the server's error at the slot, delete.
 */
import { type DragEvent, useId, useRef, useState } from 'react';
import type { Slot } from '../../../../src/features/artwork/artwork-slots.js';
import { api, messageOf } from '../../api/client';
import { type ArtworkSlotView, slotGuidance, thumbnailVariant, uploadArtwork } from './artwork-upload';

const SLOT_NAMES: Record<Slot, string> = { logo: 'Logo', icon: 'Icon', strip: 'Strip', hero: 'Hero' };

type UploadState =
  | { kind: 'idle' }
  | { kind: 'uploading'; fraction: number; name: string }
  | { kind: 'processing'; name: string }
  | { kind: 'done'; name: string }
  | { kind: 'error'; message: string };

export interface ArtworkSlotProps {
  slot: Slot;
  /** `/v1/tiers/<id>` or `/v1/program`. */
  base: string;
  /** The slot's own stored image, or null. */
  own: ArtworkSlotView | null;
  /** What is used when the slot is empty, e.g. "the program default's logo" (tier designer). */
  inheritedNote: string | null;
  /** After an upload or delete: reload the slots and the preview. */
  onChanged(): void;
}

export function ArtworkSlotCard({ slot, base, own, inheritedNote, onChanged }: ArtworkSlotProps) {
  const id = useId();
  const [state, setState] = useState<UploadState>({ kind: 'idle' });
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const name = SLOT_NAMES[slot];
  const busy = state.kind === 'uploading' || state.kind === 'processing';

  async function upload(file: File) {
    setState({ kind: 'uploading', fraction: 0, name: file.name });
    try {
      await uploadArtwork(base, slot, file, (fraction) =>
        setState(
          fraction >= 1
            ? { kind: 'processing', name: file.name }
            : { kind: 'uploading', fraction, name: file.name },
        ),
      );
      setState({ kind: 'done', name: file.name });
      onChanged();
    } catch (err) {
      setState({ kind: 'error', message: messageOf(err) });
    } finally {
      if (input.current) input.current.value = '';
    }
  }

  async function remove() {
    try {
      await api('DELETE', `${base}/artwork/${slot}`);
      setState({ kind: 'idle' });
      onChanged();
    } catch (err) {
      setState({ kind: 'error', message: messageOf(err) });
    }
  }

  function onDrop(e: DragEvent<HTMLDivElement>) {
    e.preventDefault();
    setOver(false);
    const file = e.dataTransfer.files[0];
    if (file && !busy) void upload(file);
  }

  const variant = own ? thumbnailVariant(own) : null;
  return (
    <section className="artwork-slot" aria-labelledby={`${id}-title`} data-slot={slot}>
      <h3 id={`${id}-title`}>{name}</h3>
      <p className="hint" id={`${id}-hint`}>
        {name}: {slotGuidance(slot)}
      </p>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: a drop target for the mouse; the file input inside is the keyboard and screen-reader path */}
      <div
        className={`drop-zone${over ? ' over' : ''}`}
        data-testid={`drop-${slot}`}
        onDragEnter={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragOver={(e) => {
          e.preventDefault();
          e.dataTransfer.dropEffect = 'copy';
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        {own && variant ? (
          <img
            className="thumb"
            src={`${base}/artwork/${slot}/${encodeURIComponent(variant)}?v=${own.hash.slice(0, 16)}`}
            alt={`Current ${name.toLowerCase()} (${own.width}×${own.height} px)`}
          />
        ) : (
          <p className="muted">{inheritedNote ?? `No ${name.toLowerCase()} yet.`}</p>
        )}
        <p className="drop-text">Drop an image here, or</p>
        <label className="button secondary file-button" htmlFor={`${id}-file`}>
          Choose {name.toLowerCase()} file
        </label>
        <input
          ref={input}
          id={`${id}-file`}
          className="visually-hidden-file"
          type="file"
          accept="image/png,image/jpeg,image/webp,image/svg+xml,.png,.jpg,.jpeg,.webp,.svg"
          aria-describedby={`${id}-hint ${id}-status`}
          disabled={busy}
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void upload(file);
          }}
        />
      </div>
      <div id={`${id}-status`} className="slot-status" aria-live="polite">
        {state.kind === 'uploading' ? (
          <>
            <progress max={1} value={state.fraction} aria-label={`Uploading ${state.name}`} /> Uploading{' '}
            {state.name}…
          </>
        ) : state.kind === 'processing' ? (
          <>
            <progress aria-label={`Processing ${state.name}`} /> Rendering the pass images…
          </>
        ) : state.kind === 'done' ? (
          <span className="ok">Uploaded {state.name}.</span>
        ) : null}
      </div>
      {state.kind === 'error' ? (
        <div className="error" role="alert">
          {state.message}
        </div>
      ) : null}
      {own ? (
        <button type="button" className="secondary" onClick={remove} disabled={busy}>
          Delete {name.toLowerCase()}
        </button>
      ) : null}
    </section>
  );
}
