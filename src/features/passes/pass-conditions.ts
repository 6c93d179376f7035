/** HTTP conditional requests for passes: ETag = the update tag, Last-Modified = when it changed. */

/** Conditional request headers of a pass fetch, as sent. */
export interface PassConditions {
  /** `If-None-Match` (a list of ETags or `*`). */
  ifNoneMatch?: string;
  /** `If-Modified-Since` (an HTTP date). */
  ifModifiedSince?: string;
}

/** The ETag of a pass with this update tag. */
export function passEtag(updateTag: string): string {
  return `"${updateTag}"`;
}

/**
 * Whether the client's copy is current (RFC 9110 §13.2.2: If-None-Match wins over
 * If-Modified-Since). Last-Modified has whole seconds, so it is compared at that precision;
 * the store keeps successive changes at least a second apart (pass-repository setUpdateTag).
 */
export function isNotModified(c: PassConditions, updateTag: string, lastModified: Date): boolean {
  if (c.ifNoneMatch !== undefined) {
    const etag = passEtag(updateTag);
    return c.ifNoneMatch
      .split(',')
      .map((t) => t.trim().replace(/^W\//, ''))
      .some((t) => t === '*' || t === etag);
  }
  if (c.ifModifiedSince === undefined) return false;
  const since = Date.parse(c.ifModifiedSince);
  if (Number.isNaN(since)) return false;
  return Math.floor(lastModified.getTime() / 1000) * 1000 <= since;
}
