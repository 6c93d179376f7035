/**
 * Connect the program to a Shopify store (docs/shopify.md): shop domain, the custom app's Admin
 * API access token and client secret. The server checks them against the shop and never shows
 * them again; connected, the page shows the shop and its webhook topics and can disconnect.
 */
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { connectBody } from '../../../../src/features/shopify/shopify-schemas.js';
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
    <section>
      <h1>Shopify</h1>
      <p>
        Orders, refunds and customers arrive from your Shopify store by signed webhooks. Create a custom app
        in your Shopify admin with the scopes read_orders, read_customers and write_customers, then connect it
        here.
      </p>
      {error ? <Banner kind="error">{error}</Banner> : null}
      {notice ? <Banner kind="success">{notice}</Banner> : null}
      {connection === undefined && !error ? <p>Loading…</p> : null}
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
