/** The seam between the passes feature and the vendor library that zips and signs passes. */

/** Everything that goes into one `.pkpass`, before the manifest and signature. */
export interface PassBundle {
  /** The complete pass.json. */
  passJson: Record<string, unknown>;
  /** Other files by path in the bundle (images such as `icon.png`, `logo@2x.png`). */
  files: Record<string, Buffer>;
  /** Localised strings per language (`en`, `fr`): written as `<lang>.lproj/pass.strings`. */
  localizations: Record<string, Record<string, string>>;
}

/** Builds signed passes; the only place that knows the signing library. */
export interface PassSigner {
  /** Pass Type ID the signer certificate belongs to (pass.json `passTypeIdentifier`). */
  readonly passTypeIdentifier: string;
  /** Apple team id (pass.json `teamIdentifier`). */
  readonly teamIdentifier: string;
  /** Write the manifest, sign it and zip the pass; returns the `.pkpass` bytes. */
  sign(bundle: PassBundle): Promise<Buffer>;
}
