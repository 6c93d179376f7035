/**
 * Shopify's webhook payload filter as the stand-in and the benchmark apply it: a subscription's
 * `includeFields` keeps only the named fields of each delivery (shopify.dev, "Modify your
 * payloads"): `a` keeps field `a` whole, `a.b` keeps `b` of object `a`, or of each element when
 * `a` is a list. Fields the payload lacks are left out, not added.
 */
export function includeFields(payload: unknown, fields: readonly string[]): unknown {
  if (fields.length === 0) return payload;
  const tree = new Map<string, string[]>();
  for (const f of fields) {
    const [head, ...rest] = f.split('.');
    if (!head) continue;
    const sub = tree.get(head) ?? [];
    // A field named whole wins over its nested fields.
    if (rest.length === 0) tree.set(head, []);
    else if (!tree.has(head) || sub.length > 0) tree.set(head, [...sub, rest.join('.')]);
  }
  return pick(payload, tree);
}

function pick(value: unknown, tree: Map<string, string[]>): unknown {
  if (Array.isArray(value)) return value.map((v) => pick(v, tree));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, nested] of tree) {
    if (!(key in value)) continue;
    const v = (value as Record<string, unknown>)[key];
    out[key] = nested.length === 0 ? v : includeFields(v, nested);
  }
  return out;
}

/** The subscription enum of a delivery's topic header: `orders/paid` → `ORDERS_PAID`. */
export const subscriptionTopic = (topic: string) => topic.toUpperCase().replace('/', '_');
