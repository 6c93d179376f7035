/**
 * What a connection's sealed credentials are bound to (docs/decisions/0041 and 0042): a value
 * sealed for one program's token does not open as another program's, nor as its webhook secret.
 */
export const SHOPIFY_TOKEN_CONTEXT = (programId: string) => `shopify:${programId}:access-token`;
export const SHOPIFY_SECRET_CONTEXT = (programId: string) => `shopify:${programId}:webhook-secret`;
