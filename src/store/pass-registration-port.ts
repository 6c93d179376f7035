/** Storage of PassKit device registrations (issue 4): part of the storage port, scoped by program. */
import type { PassRecord } from './pass-port.js';

/** One device registered for updates of one pass. */
export interface PassRegistration {
  /** Apple's deviceLibraryIdentifier. */
  deviceId: string;
  /** Serial of the pass. */
  serial: string;
  /** APNs device token for the update pushes. */
  pushToken: string;
  /** When the device first registered for this pass. */
  createdAt: Date;
  /** When the registration (or its push token) was last written. */
  updatedAt: Date;
}

/** A customer's pass and the push tokens of the devices it is registered on (push dispatch). */
export interface PushTarget {
  /** The pass (its stored update tag and Last-Modified included). */
  pass: PassRecord;
  /** Distinct push tokens of its registered devices; empty when it is on no device. */
  pushTokens: string[];
}

/** Device registrations for the passes of one program. */
export interface PassRegistrationRepository {
  /** Register (or refresh the push token of) a device for a pass; `created` is false when it existed. */
  register(deviceId: string, serial: string, pushToken: string, now: Date): Promise<{ created: boolean }>;
  /** Remove one registration; false when there was none. */
  unregister(deviceId: string, serial: string): Promise<boolean>;
  /** Serials this device is registered for in this program. */
  serialsOfDevice(deviceId: string): Promise<string[]>;
  /** Every device registered for a pass (pushes). */
  devicesOfSerial(serial: string): Promise<PassRegistration[]>;
  /** Remove every registration using this push token (APNs said it is no longer valid). */
  removePushToken(pushToken: string): Promise<number>;
  /** The passes of these customers with their devices' push tokens, in one read; customers without a pass are left out. */
  pushTargets(customerIds: readonly string[]): Promise<PushTarget[]>;
  /** `removePushToken` for many tokens in one statement; returns the registrations removed. */
  removePushTokens(pushTokens: readonly string[]): Promise<number>;
}
