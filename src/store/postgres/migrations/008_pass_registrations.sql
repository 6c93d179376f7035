-- PassKit web service (issue 4, part 2): devices registered for pass updates.
-- A device (deviceLibraryIdentifier) may hold many passes, from several programs; a pass
-- may be on many devices. Removed with the pass, and when APNs answers 410 / BadDeviceToken.
CREATE TABLE pass_registrations (
  program_id text NOT NULL,
  device_id text NOT NULL,
  serial text NOT NULL REFERENCES passes (serial) ON DELETE CASCADE,
  -- APNs device token; a re-registration may bring a new one.
  push_token text NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (device_id, serial)
);
-- Pushes: every device of one pass.
CREATE INDEX pass_registrations_serial_idx ON pass_registrations (program_id, serial);
