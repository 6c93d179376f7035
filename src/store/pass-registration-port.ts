/** Storage of PassKit device registrations (issue 4): part of the storage port, scoped by program. */

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
}
