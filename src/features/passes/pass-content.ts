/** Pure: what a customer's pass says (pass.json, images, strings) from template, design and state. */
import { createHash } from 'node:crypto';
import type { PassBundle } from '../../integrations/apple/pass-signer.js';
import { applePassModel, type PassModelInput, templateDefaults } from './pass-model.js';
import { passStrings } from './pass-strings.js';
import type { PassTemplate } from './pass-templates.js';

/** Everything a pass shows plus its identity: the model's input and what only pass.json carries. */
export interface PassContentInput extends Omit<PassModelInput, 'defaults'> {
  /** Model merged from pass-templates/ for this tier (other pass.json keys, images, colours). */
  template: PassTemplate;
  /** Fixed identity of the pass. */
  serial: string;
  /** Token devices present to the web service. */
  authToken: string;
  /** `<PUBLIC_URL>/wallet/apple`. */
  webServiceURL: string;
  /** From the signer certificate's configuration. */
  passTypeIdentifier: string;
  /** Apple team id. */
  teamIdentifier: string;
}

/** Template keys a pass never takes from a template: Tierpass owns identity, colours and fields. */
const OWNED = [
  'serialNumber',
  'authenticationToken',
  'webServiceURL',
  'barcodes',
  'barcode',
  'storeCard',
  'foregroundColor',
  'backgroundColor',
  'labelColor',
];

function withoutOwned(json: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(json).filter(([k]) => !OWNED.includes(k)));
}

/**
 * pass.json, images and strings of a pass: the visible parts come from `applePassModel` (the
 * same function the previews use), the rest from the template and the pass's identity.
 */
export function passContent(input: PassContentInput): PassBundle {
  const { template } = input;
  const model = applePassModel({ ...input, defaults: templateDefaults(template.passJson) });
  const passJson: Record<string, unknown> = {
    ...withoutOwned(template.passJson),
    formatVersion: 1,
    passTypeIdentifier: input.passTypeIdentifier,
    teamIdentifier: input.teamIdentifier,
    serialNumber: input.serial,
    authenticationToken: input.authToken,
    webServiceURL: input.webServiceURL,
    organizationName: model.organizationName,
    description: model.description,
    logoText: model.logoText,
    foregroundColor: model.foregroundColor,
    backgroundColor: model.backgroundColor,
    labelColor: model.labelColor,
    barcodes: [{ ...model.barcode }],
    storeCard: {
      headerFields: model.headerFields,
      primaryFields: model.primaryFields,
      secondaryFields: model.secondaryFields,
      auxiliaryFields: model.auxiliaryFields,
      backFields: model.backFields,
    },
  };
  return { passJson, files: template.files, localizations: passStrings(model.translationsFr) };
}

/**
 * The update tag: a hash of everything in the bundle (pass.json, strings, every image).
 * Any change of tier, balance, progress, design, artwork or template changes it; nothing else does.
 */
export function passUpdateTag(bundle: PassBundle): string {
  const hash = createHash('sha256')
    .update(JSON.stringify(bundle.passJson))
    .update(JSON.stringify(bundle.localizations));
  for (const name of Object.keys(bundle.files).sort()) {
    hash.update(`\0${name}\0`).update(bundle.files[name] as Buffer);
  }
  return hash.digest('base64url').slice(0, 22);
}
