/**
 * The pass designer, for the program default (tierId null) or one tier: design fields,
 * artwork slots and a live preview of the Apple and Google passes drawn in the browser with the
 * server's own content model and face drawing (pass-model.ts, pass-face-svg.ts), so the preview
 * and the real passes cannot drift. Saved with PUT …/design; artwork is stored per slot at once.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { SLOTS } from '../../../../src/features/artwork/artwork-slots.js';
import type { PassDesign } from '../../../../src/features/passes/pass-design-schemas.js';
import { ApiError, api, messageOf } from '../../api/client';
import type { Tier } from '../../api/types';
import { Banner } from '../../components/form-controls';
import { Link } from '../../router';
import { ArtworkSlotCard } from './artwork-slot';
import type { ArtworkSlotView } from './artwork-upload';
import { bodyOf, checkDraft, type DesignField, type Draft, draftOf, serverFieldErrors } from './design-draft';
import { DesignForm } from './design-form';
import { inheritedDraft, type PassSample, renderFaces } from './preview';
import { SampleCustomer } from './sample-customer';
import { SvgFace } from './svg-face';
import './designer.css';

type Load<T> = { kind: 'loading' } | { kind: 'error'; message: string } | { kind: 'ready'; value: T };

function DesignList({ tiers, tierId }: { tiers: Tier[] | null; tierId: string | null }) {
  return (
    <nav aria-label="Designs" className="design-list">
      <ul>
        <li>
          <Link to="/design" aria-current={tierId === null ? 'page' : undefined}>
            Program default
          </Link>
        </li>
        {(tiers ?? []).map((t) => (
          <li key={t.id}>
            <Link
              to={`/design/${encodeURIComponent(t.id)}`}
              aria-current={t.id === tierId ? 'page' : undefined}
            >
              {t.title}
              {Object.keys(t.design).length === 0 ? <span className="muted"> (inherits)</span> : null}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function DesignerPage({ tierId }: { tierId: string | null }) {
  const base = tierId ? `/v1/tiers/${encodeURIComponent(tierId)}` : '/v1/program';
  const [tiers, setTiers] = useState<Tier[] | null>(null);
  const [sample, setSample] = useState<Load<PassSample>>({ kind: 'loading' });
  const [customerId, setCustomerId] = useState<string | null>(null);
  const [customerError, setCustomerError] = useState<string | null>(null);
  const [artwork, setArtwork] = useState<ArtworkSlotView[]>([]);
  const [imageVersion, setImageVersion] = useState(0);
  const [draft, setDraft] = useState<Draft>(() => draftOf(undefined));
  const [saved, setSaved] = useState<Draft>(() => draftOf(undefined));
  const [serverErrors, setServerErrors] = useState<Partial<Record<DesignField, string>>>({});
  const [saveState, setSaveState] = useState<
    { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved' } | { kind: 'error'; message: string }
  >({ kind: 'idle' });

  const tier = tierId ? (tiers?.find((t) => t.id === tierId) ?? null) : null;

  useEffect(() => {
    api<{ data: Tier[] }>('GET', '/v1/tiers').then(
      (r) => setTiers(r.data),
      () => setTiers([]),
    );
  }, []);

  const loadSample = useCallback(
    async (forCustomer: string | null, resetDraft: boolean) => {
      const query = forCustomer ? `?customerId=${encodeURIComponent(forCustomer)}` : '';
      try {
        const s = await api<PassSample>('GET', `${base}/pass-sample${query}`);
        setSample({ kind: 'ready', value: s });
        setCustomerId(forCustomer);
        setCustomerError(null);
        if (resetDraft) {
          setDraft(draftOf(s.ownDesign));
          setSaved(draftOf(s.ownDesign));
          setServerErrors({});
        }
      } catch (err) {
        if (forCustomer && err instanceof ApiError && err.status === 404) setCustomerError(messageOf(err));
        else setSample({ kind: 'error', message: messageOf(err) });
      }
    },
    [base],
  );

  const loadArtwork = useCallback(async () => {
    try {
      setArtwork((await api<{ data: ArtworkSlotView[] }>('GET', `${base}/artwork`)).data);
    } catch {
      setArtwork([]);
    }
  }, [base]);

  // A different design: start over.
  useEffect(() => {
    setSample({ kind: 'loading' });
    setSaveState({ kind: 'idle' });
    setCustomerId(null);
    void loadSample(null, true);
    void loadArtwork();
  }, [loadSample, loadArtwork]);

  const checked = useMemo(() => checkDraft(draft), [draft]);
  const ready = sample.kind === 'ready' ? sample.value : null;
  const faces = useMemo(
    () => (ready ? renderFaces(ready, checked.design, imageVersion) : null),
    [ready, checked.design, imageVersion],
  );
  const inherited = useMemo(() => (ready ? inheritedDraft(ready) : draftOf(undefined)), [ready]);
  const dirty = useMemo(() => JSON.stringify(draft) !== JSON.stringify(saved), [draft, saved]);
  const errors = { ...serverErrors, ...checked.errors };

  // Closing or reloading the tab with unsaved changes asks first (artwork is saved already).
  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);
  const invalid = Object.keys(checked.errors).length > 0;

  function change(field: DesignField, value: string) {
    setDraft((d) => ({ ...d, [field]: value }));
    setServerErrors(({ [field]: _gone, ...rest }) => rest);
    if (saveState.kind !== 'saving') setSaveState({ kind: 'idle' });
  }

  async function save() {
    setSaveState({ kind: 'saving' });
    try {
      const body = bodyOf(draft);
      const res = await api<{ design: Record<string, unknown> }>('PUT', `${base}/design`, { body });
      const stored = draftOf(res.design as PassDesign);
      setDraft(stored);
      setSaved(stored);
      setServerErrors({});
      setSaveState({ kind: 'saved' });
      if (ready) setSample({ kind: 'ready', value: { ...ready, ownDesign: res.design as PassDesign } });
      if (tierId) {
        setTiers((ts) => ts?.map((t) => (t.id === tierId ? { ...t, design: res.design } : t)) ?? ts);
      }
    } catch (err) {
      if (err instanceof ApiError && err.code === 'validation_failed') {
        const { fields, other } = serverFieldErrors(err.fieldErrors());
        setServerErrors(fields);
        setSaveState({
          kind: 'error',
          message: other.length > 0 ? other.join('; ') : 'Check the fields marked below.',
        });
      } else setSaveState({ kind: 'error', message: messageOf(err) });
    }
  }

  function artworkChanged() {
    setImageVersion((v) => v + 1);
    void loadArtwork();
    void loadSample(customerId, false);
  }

  const title = tierId ? `Pass design: ${tier?.title ?? tierId}` : 'Pass design: program default';
  const inheritedFrom = tierId ? 'program default' : 'pass template';
  const ownSlots = new Map(artwork.map((a) => [a.slot, a]));

  return (
    <section className="designer">
      <h1>{title}</h1>
      <DesignList tiers={tiers} tierId={tierId} />
      <p className="muted">
        {tierId
          ? 'Fields left empty use the program default design; every tier member’s pass follows it.'
          : 'The program default applies to every tier that does not set a field of its own, and to customers without a tier or in a hidden one.'}
      </p>
      {sample.kind === 'error' ? <Banner kind="error">{sample.message}</Banner> : null}
      {tierId && tiers && !tier ? <Banner kind="error">No tier with ID {tierId}.</Banner> : null}
      <div className="designer-grid">
        <div className="designer-editor">
          <form
            aria-label="Design"
            onSubmit={(e) => {
              e.preventDefault();
              void save();
            }}
          >
            <DesignForm
              draft={draft}
              inherited={inherited}
              inheritedFrom={inheritedFrom}
              errors={errors}
              onChange={change}
            />
            <div className="save-bar">
              <button type="submit" disabled={saveState.kind === 'saving' || invalid || !ready}>
                {saveState.kind === 'saving' ? 'Saving…' : 'Save design'}
              </button>
              <span className="save-status" role="status">
                {saveState.kind === 'saved' && !dirty
                  ? 'Saved. Passes update in the background.'
                  : saveState.kind === 'error'
                    ? null
                    : dirty
                      ? 'Unsaved changes (the preview shows them).'
                      : ''}
              </span>
            </div>
            {saveState.kind === 'error' ? <Banner kind="error">{saveState.message}</Banner> : null}
          </form>
          <h2>Artwork</h2>
          <p className="muted">
            Images are stored as soon as they are uploaded.{' '}
            {tierId ? 'A slot left empty uses the program default’s image.' : ''}
          </p>
          <div className="artwork-grid">
            {SLOTS.map((slot) => (
              <ArtworkSlotCard
                key={slot}
                slot={slot}
                base={base}
                own={ownSlots.get(slot) ?? null}
                inheritedNote={
                  ready?.images[slot]?.startsWith('/v1/program/')
                    ? `Using the program default’s ${slot}.`
                    : ready?.images[slot]?.startsWith('/v1/pass-template/')
                      ? `Using the pass template’s ${slot}.`
                      : null
                }
                onChanged={artworkChanged}
              />
            ))}
          </div>
        </div>
        <aside className="designer-preview" aria-label="Live preview">
          <h2>Preview</h2>
          <SampleCustomer
            customerId={customerId}
            error={customerError}
            onPick={(id) => void loadSample(id || null, false)}
          />
          {faces ? (
            <div className="faces" data-testid="preview">
              <figure>
                <figcaption>Apple Wallet</figcaption>
                <SvgFace face="apple" svg={faces.appleSvg} label={faces.appleLabel} />
              </figure>
              <figure>
                <figcaption>Google Wallet</figcaption>
                <SvgFace face="google" svg={faces.googleSvg} label={faces.googleLabel} />
              </figure>
            </div>
          ) : sample.kind === 'loading' ? (
            <p role="status">Loading the preview…</p>
          ) : null}
        </aside>
      </div>
    </section>
  );
}
