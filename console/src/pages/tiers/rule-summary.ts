/** A tier's conditions in plain words for the list ("Everyone", "Spent $500.00 in the last 90 days"). */
import { formatMoney } from '../../format/amounts';
import { durationInWords } from '../../format/durations';

function one(q: Record<string, unknown>, currency: string): string {
  const money = (v: unknown) => (typeof v === 'number' ? formatMoney(v, currency) : '?');
  const points = (v: unknown) => (typeof v === 'number' ? v.toLocaleString() : '?');
  switch (q.type) {
    case 'tag':
      return `has the tag “${q.tag}”`;
    case 'segment':
      return `is in the segment “${q.segment}”`;
    case 'largeOrder':
      return `placed one order of ${money(q.minAmount)} or more`;
    case 'orderVolume':
      return `spent ${money(q.minAmount)} in the last ${durationInWords(String(q.window)) ?? q.window}`;
    case 'lifetimePoints':
      return `earned ${points(q.minPoints)} points in total`;
    case 'lifetimeSpend':
      return `spent ${money(q.minAmount)} in total`;
    case 'carryPoints':
      return `earned ${points(q.minPoints)} points this cycle`;
    default:
      return String(q.type);
  }
}

/** "Everyone qualifies (entry tier)" or "Members: … and …"; paused conditions are named as such. */
export function ruleSummary(qualifications: Record<string, unknown>[], currency: string): string {
  const active = qualifications.filter((q) => q.enabled !== false);
  const paused = qualifications.length - active.length;
  const head =
    active.length === 0
      ? 'Everyone qualifies (entry tier)'
      : `Customers who ${active.map((q) => one(q, currency)).join(' and ')}`;
  return paused > 0 ? `${head}; ${paused} paused condition${paused === 1 ? '' : 's'}` : head;
}
