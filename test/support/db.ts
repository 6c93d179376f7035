/** URL of the per-run test database created by global-setup (inherited by jest workers). */
export function testDatabaseUrl(): string {
  const url = process.env.TIERPASS_TEST_DATABASE_URL;
  if (!url) {
    throw new Error(
      'TIERPASS_TEST_DATABASE_URL is not set: run tests through jest (npm test), whose globalSetup creates the database',
    );
  }
  return url;
}
