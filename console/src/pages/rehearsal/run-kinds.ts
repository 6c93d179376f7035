/** Names of run kinds as the console shows them. */
import type { RunItem } from '../../api/types';

const LABELS: Record<RunItem['kind'], string> = {
  cycle: 'Cycle boundary',
  warning: 'Downgrade warnings',
  daily: 'Daily sync',
  resync: 'Resync',
  sync: 'Full sync',
};

export function kindLabel(kind: RunItem['kind']): string {
  return LABELS[kind];
}
