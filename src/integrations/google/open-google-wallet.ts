/** Start-up: the configured Google Wallet issuer and service account, reported like the Apple certificates. */
import type { Logger } from 'pino';
import { readServiceAccount, type ServiceAccount } from './service-account.js';
import { GOOGLE_TOKEN_URL, GoogleWalletClient } from './wallet-client.js';

/** Google Wallet settings from the config. */
export interface GoogleWalletSettings {
  issuerId: string;
  keyFile: string;
  apiRoot: string;
  tokenUrl: string | undefined;
  origins: string[];
}

/** A ready client and what it needs to sign save links. */
export interface OpenedGoogleWallet {
  account: ServiceAccount;
  api: GoogleWalletClient;
  issuerId: string;
  origins: string[];
}

/**
 * Read the service account key (a bad file throws ServiceAccountError: the service refuses to
 * start), log what Google Wallet will use, and build the client; undefined when turned off.
 */
export async function openGoogleWallet(
  settings: GoogleWalletSettings | undefined,
  logger: Pick<Logger, 'info' | 'warn'>,
): Promise<OpenedGoogleWallet | undefined> {
  if (!settings) {
    logger.info(
      'Google Wallet is off (GOOGLE_WALLET_ISSUER_ID and GOOGLE_WALLET_KEY_FILE are not set): GET /v1/customers/{id}/passes/google answers 503 google_wallet_not_configured',
    );
    return undefined;
  }
  const account = await readServiceAccount(settings.keyFile);
  logger.info(
    {
      issuerId: settings.issuerId,
      serviceAccount: account.clientEmail,
      keyId: account.privateKeyId ?? null,
      apiRoot: settings.apiRoot,
      tokenUrl: settings.tokenUrl ?? GOOGLE_TOKEN_URL,
      origins: settings.origins,
    },
    'Google Wallet',
  );
  if (settings.tokenUrl && settings.tokenUrl !== GOOGLE_TOKEN_URL) {
    logger.warn(
      { tokenUrl: settings.tokenUrl },
      'GOOGLE_WALLET_TOKEN_URL is set: OAuth tokens come from a non-Google server',
    );
  }
  return {
    account,
    api: new GoogleWalletClient({ account, apiRoot: settings.apiRoot, tokenUrl: settings.tokenUrl }),
    issuerId: settings.issuerId,
    origins: settings.origins,
  };
}
