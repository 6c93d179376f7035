/** The Shopify stand-in lives beside the benchmarks that use it too (scripts/lib). */
export * from '../../scripts/lib/shopify-stand-in.js';
