/**
 * "Test before launch": start from the live tiers, edit a draft set in memory with the tier
 * form's own fields, run POST /v1/simulations against the real customers, read today's and the
 * draft's distribution and who would move; nothing is saved until "Apply draft" sends the set to
 * PUT /v1/tiers with the version it was drafted on (decision 0031).
 */

import { useCallback, useEffect, useState } from 'react';
import type { z } from 'zod';
import type { tierSetResult, tierSetView } from '../../../../src/features/tiers/tier-set-schemas.js';
import { ApiError, api, messageOf } from '../../api/client';
import { useSession } from '../../api/session';
import { Banner } from '../../components/form-controls';
import { Link } from '../../router';
import { TierFields } from '../tiers/tier-fields';
import {
  type DraftEntry,
  type DraftErrors,
  draftBodies,
  draftsOf,
  hasErrors,
  newDraftEntry,
  serverDraftErrors,
} from './draft-set';
import { DraftTierList } from './draft-tier-list';
import { type Simulation, SimulationResults } from './simulation-results';

type TierSet = z.output<typeof tierSetView>;
type Applied = z.output<typeof tierSetResult>;

const NO_ERRORS: DraftErrors = { byTier: {}, general: [] };

export function SimulatePage() {
  const { program } = useSession();
  const currency = program?.currency ?? 'USD';
  const [base, setBase] = useState<TierSet | null>(null);
  const [entries, setEntries] = useState<DraftEntry[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [errors, setErrors] = useState<DraftErrors>(NO_ERRORS);
  const [banner, setBanner] = useState<string | null>(null);
  const [busy, setBusy] = useState<'simulating' | 'applying' | null>(null);
  const [result, setResult] = useState<Simulation | null>(null);
  // The tiers the shown result was computed for, and the movers cursor of each page shown so far.
  const [ranWith, setRanWith] = useState<Record<string, unknown>[] | null>(null);
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [applied, setApplied] = useState<Applied | null>(null);

  const start = useCallback(
    (set: TierSet) => {
      setBase(set);
      const drafts = draftsOf(set.data, currency);
      setEntries(drafts);
      setSelected(drafts[0]?.key ?? null);
      setErrors(NO_ERRORS);
      setResult(null);
    },
    [currency],
  );

  useEffect(() => {
    const ctl = new AbortController();
    api<TierSet>('GET', '/v1/tiers', { signal: ctl.signal }).then(start, (err) => {
      if (!ctl.signal.aborted) setBanner(messageOf(err));
    });
    return () => ctl.abort();
  }, [start]);

  /** Checked bodies of the draft, or null after showing where it needs a change. */
  function checkedBodies(): Record<string, unknown>[] | null {
    setBanner(null);
    const { tiers, errors: found } = draftBodies(entries, currency);
    setErrors(found);
    if (hasErrors(found)) {
      setBanner('Some draft tiers need a change (marked in the list).');
      const first = entries.find((e) => found.byTier[e.key]);
      if (first) setSelected(first.key);
      return null;
    }
    return tiers;
  }

  function refused(err: unknown) {
    const found = serverDraftErrors(err, entries);
    setErrors(found);
    const first = entries.find((e) => found.byTier[e.key]);
    if (first) setSelected(first.key);
    setBanner([messageOf(err), ...found.general].join(' '));
  }

  async function simulate(tiers: Record<string, unknown>[], cursor: string | undefined) {
    setBusy('simulating');
    try {
      const r = await api<Simulation>('POST', '/v1/simulations', {
        body: { tiers, ...(cursor ? { moversCursor: cursor } : {}) },
      });
      setResult(r);
      setRanWith(tiers);
      return true;
    } catch (err) {
      refused(err);
      return false;
    } finally {
      setBusy(null);
    }
  }

  async function run() {
    const tiers = checkedBodies();
    if (!tiers) return;
    setApplied(null);
    if (await simulate(tiers, undefined)) setCursors([undefined]);
  }

  async function page(direction: 'next' | 'previous') {
    if (!ranWith || !result) return;
    const next =
      direction === 'next' ? [...cursors, result.movers.nextCursor ?? undefined] : cursors.slice(0, -1);
    if (await simulate(ranWith, next.at(-1))) setCursors(next);
  }

  async function apply() {
    const tiers = checkedBodies();
    if (!tiers || !base) return;
    setBusy('applying');
    try {
      const r = await api<Applied>('PUT', '/v1/tiers', { body: { expectedVersion: base.version, tiers } });
      start(r);
      setApplied(r);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'tier_set_changed') {
        setBanner(
          'The tiers were changed elsewhere since this draft was started. Start again from the current tiers.',
        );
      } else refused(err);
    } finally {
      setBusy(null);
    }
  }

  async function restart() {
    setBanner(null);
    setApplied(null);
    try {
      start(await api<TierSet>('GET', '/v1/tiers'));
    } catch (err) {
      setBanner(messageOf(err));
    }
  }

  const current = entries.find((e) => e.key === selected) ?? null;
  // The shown result is for the draft as it was run; say so once the draft differs.
  const stale =
    ranWith !== null && JSON.stringify(draftBodies(entries, currency).tiers) !== JSON.stringify(ranWith);
  const index = current ? entries.indexOf(current) : -1;
  return (
    <section className="simulate">
      <h1>Test before launch</h1>
      <p className="muted">
        Edit a draft of your tiers and see where your customers would be, without saving anything. "Apply
        draft" makes it live in one step. <Link to="/tiers">The live tiers</Link> stay as they are until then.
      </p>
      {banner ? <Banner kind="error">{banner}</Banner> : null}
      {applied ? (
        <Banner kind="success">
          Draft applied: {applied.data.length} tiers live ({applied.created.length} created,{' '}
          {applied.deleted.length} deleted).{' '}
          {applied.resync === 'immediate'
            ? 'Customers are being re-placed now.'
            : 'Every customer is resynced 5 minutes after the last change.'}
        </Banner>
      ) : null}
      {base === null ? (
        banner ? null : (
          <p role="status">Loading…</p>
        )
      ) : (
        <div className="simulate-layout">
          <DraftTierList
            entries={entries}
            selected={selected}
            errors={errors}
            onSelect={setSelected}
            onChange={setEntries}
            onAdd={() => {
              const added = newDraftEntry(`New tier ${entries.length + 1}`);
              setEntries([...entries, added]);
              setSelected(added.key);
            }}
          />
          {current ? (
            <form
              className="tier-form draft-editor"
              aria-label={`Draft tier ${index + 1}`}
              onSubmit={(e) => e.preventDefault()}
              noValidate
            >
              <h2>
                Editing draft tier {index + 1}: {current.draft.title || 'untitled'}
              </h2>
              <TierFields
                draft={current.draft}
                currency={currency}
                errors={errors.byTier[current.key] ?? {}}
                onChange={(patch) =>
                  setEntries(
                    entries.map((e) =>
                      e.key === current.key ? { ...e, draft: { ...e.draft, ...patch } } : e,
                    ),
                  )
                }
              />
            </form>
          ) : null}
        </div>
      )}
      {base ? (
        <div className="row actions">
          <button type="button" disabled={busy !== null} onClick={run}>
            Run simulation
          </button>
          <button type="button" className="secondary" disabled={busy !== null} onClick={apply}>
            Apply draft
          </button>
          <button type="button" className="secondary" disabled={busy !== null} onClick={restart}>
            Start again from the current tiers
          </button>
        </div>
      ) : null}
      {busy ? (
        <div className="field">
          <label htmlFor="simulate-progress">
            {busy === 'simulating' ? 'Running the simulation against your customers…' : 'Applying the draft…'}
          </label>
          <progress id="simulate-progress" />
        </div>
      ) : null}
      {result && stale ? (
        <Banner kind="info">
          The draft changed since this result: run the simulation again to update it.
        </Banner>
      ) : null}
      {result ? (
        <SimulationResults result={result} page={cursors.length} onPage={page} busy={busy !== null} />
      ) : null}
    </section>
  );
}
