/**
 * The wallet health panel (GET /v1/wallet/health): Apple passes, devices and pushes of the last
 * 24 hours, the signing certificates' expiry with the warning from 30 days, Google objects by
 * state and their recent errors.
 */
import { type ReactNode, useEffect, useState } from 'react';
import { api, messageOf } from '../../api/client';
import { useSession } from '../../api/session';
import type { WalletHealthView } from '../../api/types';
import { Banner } from '../../components/form-controls';
import { formatInZone } from '../../format/instants';

function Stat({ label, value }: { label: string; value: number }) {
  return (
    <div className="stat">
      <dt>{label}</dt>
      <dd>{value.toLocaleString()}</dd>
    </div>
  );
}

/** A scrollable table with a caption, a row of column headings and the rows given as children. */
function HealthTable({
  caption,
  columns,
  children,
}: {
  caption: string;
  columns: string[];
  children: ReactNode;
}) {
  return (
    <div className="table-scroll">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** An instant in the program's time zone. */
function When({ at, timezone }: { at: string; timezone: string }) {
  return <time dateTime={at}>{formatInZone(at, timezone)}</time>;
}

export function WalletHealthPanel() {
  const { program } = useSession();
  const timezone = program?.timezone ?? 'UTC';
  const [health, setHealth] = useState<WalletHealthView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reads, setReads] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `reads` asks for a fresh read
  useEffect(() => {
    const ctl = new AbortController();
    api<WalletHealthView>('GET', '/v1/wallet/health', { signal: ctl.signal }).then(
      (h) => {
        setHealth(h);
        setError(null);
      },
      (err) => {
        if (!ctl.signal.aborted) setError(messageOf(err));
      },
    );
    return () => ctl.abort();
  }, [reads]);

  return (
    <section className="wallet-health" aria-labelledby="health-title">
      <div className="row page-head">
        <h2 id="health-title">Wallet health</h2>
        <button type="button" className="secondary" onClick={() => setReads((n) => n + 1)}>
          Refresh
        </button>
      </div>
      {error ? <Banner kind="error">{error}</Banner> : null}
      {!health ? (
        <p className="muted">Loading…</p>
      ) : (
        <div className="health-grid">
          <section className="card" aria-labelledby="apple-title">
            <h3 id="apple-title">Apple Wallet</h3>
            {health.apple.warning ? (
              <div role="alert">
                <Banner kind="error">
                  Certificate: {health.apple.warning}. Renew it before passes stop updating.
                </Banner>
              </div>
            ) : null}
            {!health.apple.configured ? (
              <p>Apple Wallet passes are not configured on this server.</p>
            ) : (
              <>
                <dl className="stats" aria-label="Apple Wallet numbers">
                  <Stat label="Passes issued" value={health.apple.passesIssued} />
                  <Stat label="Devices registered" value={health.apple.devicesRegistered} />
                  <Stat label="Pushes sent (24 h)" value={health.apple.pushesLast24h.sent} />
                  <Stat label="Pushes failed (24 h)" value={health.apple.pushesLast24h.failed} />
                </dl>
                <p className="muted">
                  {health.apple.pushConfigured
                    ? `Pushes since ${formatInZone(health.apple.pushesLast24h.since, timezone)} (program time).`
                    : 'APNs is not configured: passes update when opened, not by push.'}
                </p>
                <HealthTable caption="Signing certificates" columns={['Certificate', 'Expires', 'Days left']}>
                  {health.apple.certificates.map((c) => (
                    <tr key={c.name} className={c.warning ? 'warn' : undefined}>
                      <th scope="row">{c.name === 'signerCert' ? 'Pass Type ID' : 'Apple WWDR'}</th>
                      <td>
                        <When at={c.validTo} timezone={timezone} />
                      </td>
                      <td>{c.daysLeft}</td>
                    </tr>
                  ))}
                </HealthTable>
              </>
            )}
          </section>
          <section className="card" aria-labelledby="google-title">
            <h3 id="google-title">Google Wallet</h3>
            {!health.google.configured ? (
              <p>Google Wallet is not configured on this server.</p>
            ) : (
              <>
                <dl className="stats" aria-label="Google Wallet numbers">
                  <Stat label="Objects" value={health.google.objects.total} />
                  <Stat label="Up to date" value={health.google.objects.synced} />
                  <Stat label="Not yet accepted" value={health.google.objects.pending} />
                  <Stat label="Failing" value={health.google.objects.failing} />
                </dl>
                {health.google.recentErrors.length === 0 ? (
                  <p className="muted">No object update has failed.</p>
                ) : (
                  <HealthTable caption="Recent errors" columns={['Customer', 'Error', 'When']}>
                    {health.google.recentErrors.map((e) => (
                      <tr key={e.customerId}>
                        <th scope="row">{e.customerId}</th>
                        <td className="error-text">{e.error}</td>
                        <td>
                          <When at={e.at} timezone={timezone} />
                        </td>
                      </tr>
                    ))}
                  </HealthTable>
                )}
              </>
            )}
          </section>
        </div>
      )}
    </section>
  );
}
