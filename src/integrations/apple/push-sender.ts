/** Wallet update pushes: the seam between the pass feature and APNs. */

/** What became of one push to many device tokens. */
export interface PushOutcome {
  /** Tokens APNs accepted. */
  sent: string[];
  /** Tokens APNs says are gone (410 Unregistered, BadDeviceToken…): drop their registrations. */
  invalid: string[];
  /** Tokens to try again later (429, 5xx, connection trouble). */
  retry: string[];
  /** Tokens refused for another reason (not retried), with the reason. */
  rejected: { token: string; reason: string }[];
}

/** Sends empty-payload pushes (Wallet then asks the web service what changed). */
export interface PushSender {
  /** Push `{}` on `topic` (the pass type id) to every token. */
  sendEmpty(topic: string, tokens: readonly string[]): Promise<PushOutcome>;
  /** Close connections. */
  close(): Promise<void>;
}
