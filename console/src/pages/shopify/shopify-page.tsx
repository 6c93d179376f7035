/**
 * Connect the program to a Shopify store (docs/shopify.md): shop domain, the custom app's Admin
 * API access token and client secret. The server checks them against the shop and never shows
 * them again; connected, the page shows the shop and its webhook topics and can disconnect.
 * When the operator configured a Shopify app (GET /v1/integrations/shopify/app), a shop can be
 * installed through Shopify instead; Shopify's redirect comes back here with
 * `?install=connected&shop=…` or `?install=failed&error=<code>`, shown once (decision 0051).
 */
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { connectBody, SHOP_DOMAIN } from '../../../../src/features/shopify/shopify-schemas.js';
import { ApiError, api, messageOf } from '../../api/client';
import { type FieldErrors, serverFieldErrors, zodFieldErrors } from '../../api/field-errors';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { Banner, CheckboxField, SelectField, TextField } from '../../components/form-controls';
import { ShopifyDataRequests } from './data-requests';
import { ShopifyBackfill } from './shopify-backfill';
import { ShopifySegmentsCard } from './shopify-segments-card';
import { WriteBackSection } from './write-back-section';

interface Connection {
  shopDomain: string;
  shopName: string;
  currency: string;
  state: 'connected' | 'uninstalled';
  earnOn: 'subtotal' | 'total';
  includeTestOrders: boolean;
  webhookTopics: string[];
  connectedAt: string;
}

/** What the operator configured (GET /v1/integrations/shopify/app). */
interface ShopifyApp {
  installThroughShopify: boolean;
  scopes: string[];
}

/** Why an install through Shopify did not complete, by the callback's error code. */
const INSTALL_FAILURES: Record<string, string> = {
  shopify_code_rejected:
    'Shopify refused the authorization code (it was already used or has expired). Start the install again.',
  shopify_state_invalid:
    'The install expired or was not started from this page (it must finish within 10 minutes). Start it again.',
  shopify_signature_invalid:
    'The answer did not carry Shopify’s signature for this app. Start the install again.',
  shopify_scope_missing: 'The shop did not grant every permission Tierpass asks for. Approve all of them.',
  shopify_shop_taken: 'That shop is already connected to another program.',
  currency_mismatch: 'The shop’s currency is not the program’s currency.',
  program_not_found: 'The program that started the install no longer exists.',
  shopify_unavailable: 'Shopify could not be reached. Try again in a moment.',
};

/** The outcome of an install through Shopify, read once from the page's address and removed from it. */
function installOutcome(): { kind: 'success' | 'error'; text: string } | null {
  const q = new URLSearchParams(window.location.search);
  const install = q.get('install');
  if (install !== 'connected' && install !== 'failed') return null;
  if (install === 'connected') {
    const shop = q.get('shop') ?? 'The shop';
    return { kind: 'success', text: `${shop} is connected through Shopify: its webhooks are registered.` };
  }
  const code = q.get('error') ?? 'unknown';
  return {
    kind: 'error',
    text: `The install through Shopify did not complete: ${INSTALL_FAILURES[code] ?? `error ${code}.`}`,
  };
}

/** Install the operator's Shopify app on a shop: an install link for it, then Shopify's approval page. */
function InstallThroughShopify({ scopes }: { scopes: string[] }) {
  const [shopDomain, setShopDomain] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [banner, setBanner] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const inputRef = useRef<HTMLFormElement>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBanner(null);
    const shop = shopDomain.trim().toLowerCase();
    if (!SHOP_DOMAIN.test(shop)) {
      setError('Enter the shop’s permanent domain, ending in .myshopify.com');
      requestAnimationFrame(() => inputRef.current?.querySelector<HTMLElement>('input')?.focus());
      return;
    }
    setError(undefined);
    setBusy(true);
    try {
      const link = await api<{ url: string }>('POST', '/v1/integrations/shopify/install-link', {
        body: { shopDomain: shop },
      });
      window.location.assign(link.url);
    } catch (err) {
      setBanner(`The install could not start: ${messageOf(err)}`);
      setBusy(false);
    }
  }

  return (
    <form ref={inputRef} onSubmit={submit} noValidate className="card install-through-shopify">
      <h2>Install through Shopify</h2>
      <p>
        Shopify asks the shop’s owner to approve the Tierpass app ({scopes.join(', ')}), then sends them back
        here, connected. No token to copy.
      </p>
      {banner ? <Banner kind="error">{banner}</Banner> : null}
      <div className="row">
        <TextField
          label="Shop domain to install on"
          autoComplete="off"
          spellCheck={false}
          placeholder="your-shop.myshopify.com"
          value={shopDomain}
          error={error}
          onChange={(e) => setShopDomain(e.target.value)}
        />
        <button type="submit" disabled={busy}>
          {busy ? 'Opening Shopify…' : 'Install through Shopify'}
        </button>
      </div>
    </form>
  );
}

/** The server's refusals of the credentials, shown at the field they concern. */
function errorsOf(err: unknown): FieldErrors {
  if (err instanceof ApiError && err.code === 'shopify_credentials_rejected')
    return { accessToken: err.message };
  if (err instanceof ApiError && err.code === 'shopify_scope_missing') return { accessToken: err.message };
  if (err instanceof ApiError && (err.code === 'shopify_shop_taken' || err.code === 'currency_mismatch')) {
    return { shopDomain: err.message };
  }
  return serverFieldErrors(err);
}

function ConnectForm({ onConnected }: { onConnected(c: Connection): void }) {
  const [shopDomain, setShopDomain] = useState('');
  const [accessToken, setAccessToken] = useState('');
  const [webhookSecret, setWebhookSecret] = useState('');
  const [earnOn, setEarnOn] = useState<'subtotal' | 'total'>('subtotal');
  const [includeTestOrders, setIncludeTestOrders] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [banner, setBanner] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);
  const focusFirstError = () =>
    requestAnimationFrame(() =>
      formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(),
    );

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBanner(null);
    const body = { shopDomain: shopDomain.trim(), accessToken, webhookSecret, earnOn, includeTestOrders };
    const parsed = connectBody.safeParse(body);
    if (!parsed.success) {
      setErrors(zodFieldErrors(parsed.error));
      focusFirstError();
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const connected = await api<Connection>('PUT', '/v1/integrations/shopify', { body: parsed.data });
      setAccessToken('');
      setWebhookSecret('');
      onConnected(connected);
    } catch (err) {
      setErrors(errorsOf(err));
      setBanner(`The store was not connected: ${messageOf(err)}`);
      focusFirstError();
    } finally {
      setBusy(false);
    }
  }

  return (
    <form ref={formRef} onSubmit={submit} noValidate className="card">
      <h2>Connect a store</h2>
      <p className="muted">With a custom app’s credentials, created in your Shopify admin.</p>
      {banner ? <Banner kind="error">{banner}</Banner> : null}
      <TextField
        label="Shop domain"
        autoComplete="off"
        spellCheck={false}
        placeholder="your-shop.myshopify.com"
        value={shopDomain}
        error={errors.shopDomain}
        hint="The permanent domain, ending in .myshopify.com (Settings → Domains in your Shopify admin)."
        onChange={(e) => setShopDomain(e.target.value)}
      />
      <TextField
        label="Admin API access token"
        type="password"
        autoComplete="off"
        value={accessToken}
        error={errors.accessToken}
        hint="From your custom app’s API credentials (starts with shpat_). Stored encrypted, never shown again."
        onChange={(e) => setAccessToken(e.target.value)}
      />
      <TextField
        label="Client secret"
        type="password"
        autoComplete="off"
        value={webhookSecret}
        error={errors.webhookSecret}
        hint="The app’s client secret: Shopify signs its webhooks with it. Stored encrypted, never shown again."
        onChange={(e) => setWebhookSecret(e.target.value)}
      />
      <SelectField
        label="Points are earned on"
        value={earnOn}
        error={errors.earnOn}
        onChange={(e) => setEarnOn(e.target.value === 'total' ? 'total' : 'subtotal')}
      >
        <option value="subtotal">Subtotal after discounts (no shipping or tax)</option>
        <option value="total">Order total</option>
      </SelectField>
      <CheckboxField
        label="Count test orders"
        hint="Off by default: orders placed with Shopify’s test gateway earn nothing."
        checked={includeTestOrders}
        onChange={(e) => setIncludeTestOrders(e.target.checked)}
      />
      <button type="submit" disabled={busy}>
        {busy ? 'Connecting…' : 'Connect store'}
      </button>
    </form>
  );
}

export function ShopifyPage() {
  const [connection, setConnection] = useState<Connection | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [installed] = useState(installOutcome);
  // Shown once: a reload or a shared address does not repeat it.
  useEffect(() => {
    if (installed) window.history.replaceState(null, '', window.location.pathname);
  }, [installed]);
  const [shopifyApp, setShopifyApp] = useState<ShopifyApp | null>(null);

  useEffect(() => {
    api<ShopifyApp>('GET', '/v1/integrations/shopify/app')
      .then(setShopifyApp)
      .catch(() => setShopifyApp(null));
  }, []);

  useEffect(() => {
    api<Connection>('GET', '/v1/integrations/shopify')
      .then(setConnection)
      .catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 404) setConnection(null);
        else setError(messageOf(err));
      });
  }, []);

  async function disconnect() {
    setBusy(true);
    try {
      await api('DELETE', '/v1/integrations/shopify');
      setConnection(null);
      setNotice('The store is disconnected: its webhooks are removed and its credentials forgotten.');
    } catch (err) {
      setError(`The store was not disconnected: ${messageOf(err)}`);
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  }

  return (
    <section className="shopify-page">
      <h1>Shopify</h1>
      <p>
        Orders, refunds and customers arrive from your Shopify store by signed webhooks. Create a custom app
        in your Shopify admin with the scopes read_orders, read_customers and write_customers, then connect it
        here.
      </p>
      {installed ? <Banner kind={installed.kind}>{installed.text}</Banner> : null}
      {error ? <Banner kind="error">{error}</Banner> : null}
      {notice ? <Banner kind="success">{notice}</Banner> : null}
      {connection === undefined && !error ? <p>Loading…</p> : null}
      {connection === null && shopifyApp?.installThroughShopify ? (
        <InstallThroughShopify scopes={shopifyApp.scopes} />
      ) : null}
      {connection === null ? (
        <ConnectForm
          onConnected={(c) => {
            setNotice(null);
            setConnection(c);
          }}
        />
      ) : null}
      {connection ? (
        <div className="card">
          <h2>{connection.shopName}</h2>
          {connection.state === 'uninstalled' ? (
            <Banner kind="error">
              The app was uninstalled from the shop: no webhooks arrive. Disconnect, reinstall and connect
              again.
            </Banner>
          ) : null}
          <dl>
            <dt>Shop</dt>
            <dd>{connection.shopDomain}</dd>
            <dt>Currency</dt>
            <dd>{connection.currency}</dd>
            <dt>Points earned on</dt>
            <dd>{connection.earnOn === 'total' ? 'Order total' : 'Subtotal after discounts'}</dd>
            <dt>Test orders</dt>
            <dd>{connection.includeTestOrders ? 'Counted' : 'Ignored'}</dd>
            <dt>Webhooks</dt>
            <dd>{connection.webhookTopics.join(', ')}</dd>
          </dl>
          <WriteBackSection />
          <button type="button" className="danger" onClick={() => setConfirming(true)}>
            Disconnect store
          </button>
        </div>
      ) : null}
      {connection?.state === 'connected' ? <ShopifyBackfill /> : null}
      {connection ? <ShopifyDataRequests /> : null}
      {connection ? <ShopifySegmentsCard /> : null}
      <ConfirmDialog
        open={confirming}
        title="Disconnect the store?"
        confirmLabel="Disconnect"
        busy={busy}
        onConfirm={disconnect}
        onCancel={() => setConfirming(false)}
      >
        Tierpass removes its webhooks from the shop and forgets the credentials. Points already earned stay.
      </ConfirmDialog>
    </section>
  );
}
