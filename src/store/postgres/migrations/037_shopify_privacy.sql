-- Shopify privacy topics applied (issue 14 item 6, docs/decisions/0047). A
-- customers/data_request delivery keeps the customer's export for the merchant to download;
-- a later erasure of that customer empties it and notes when (`erased_at`). No new table: the
-- export belongs to its delivery and goes with it (program deletion, decision 0043).
ALTER TABLE shopify_webhooks ADD COLUMN export jsonb;
ALTER TABLE shopify_webhooks ADD COLUMN erased_at timestamptz;
-- Privacy requests recorded and not yet applied (ShopifyService.processPending retries them).
CREATE INDEX shopify_webhooks_recorded ON shopify_webhooks (program_id, received_at) WHERE result = 'recorded';

-- A delivery's payload without the personal data of the customer it is about (decision 0047):
-- privacy requests keep the shop, the customer id and the order ids; customer topics keep the
-- id; orders and refunds lose the customer's fields, addresses, email, phone and notes (amounts,
-- ids and lines stay, so an unprocessed order still applies).
CREATE FUNCTION tierpass_shopify_scrub(topic text, payload jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN payload IS NULL OR jsonb_typeof(payload) <> 'object' THEN payload
    WHEN topic IN ('customers/redact', 'customers/data_request') THEN
      (payload - 'customer') || jsonb_build_object('customer', jsonb_build_object('id', payload->'customer'->'id'))
    WHEN topic LIKE 'customers/%' THEN jsonb_build_object('id', payload->'id')
    ELSE (payload - ARRAY['customer', 'email', 'contact_email', 'phone', 'billing_address',
            'shipping_address', 'browser_ip', 'client_details', 'note', 'note_attributes'])
         || CASE WHEN payload ? 'customer' AND jsonb_typeof(payload->'customer') = 'object'
                 THEN jsonb_build_object('customer', jsonb_build_object('id', payload->'customer'->'id'))
                 ELSE '{}'::jsonb END
  END
$$;
