/** HTTP routes of the PassKit web service, mounted at the passes' `webServiceURL` (`/wallet/apple`). */
import { z } from 'zod';
import type { ApiRegistry } from '../../http/route.js';
import { CONDITIONAL_HEADERS, conditions, PKPASS, sendPass } from './pass-routes.js';
import type { PassWebService } from './pass-web-service.js';

const BASE = '/wallet/apple/v1';
const id = z.string().min(1).max(200);
const passParams = z.object({ passTypeIdentifier: id, serialNumber: id });
const registrationParams = passParams.extend({ deviceLibraryIdentifier: id });
const deviceParams = z.object({ deviceLibraryIdentifier: id, passTypeIdentifier: id });
const registrationBody = z.object({ pushToken: z.string().min(1).max(200) });
const updatedQuery = z.object({
  passesUpdatedSince: z.string().max(64).optional().describe('`lastUpdated` of the previous answer'),
});
const updatedSerials = z.object({ serialNumbers: z.array(z.string()), lastUpdated: z.string() });
/** Devices send whatever they log; only this much of it reaches our logs. */
const MAX_LOG_LINES = 20;
const MAX_LOG_LINE = 1000;
/** PassKit sends `{ logs: [string] }`; anything else is refused rather than stringified. */
const logBody = z.object({ logs: z.array(z.string().max(10_000)).max(1000) });
const AUTH_HEADER = [
  { name: 'Authorization', required: true, description: '`ApplePass <authenticationToken of the pass>`' },
];

export function registerPassWebRoutes(api: ApiRegistry, web: PassWebService): void {
  const path = `${BASE}/devices/:deviceLibraryIdentifier/registrations/:passTypeIdentifier/:serialNumber`;
  api.add({
    method: 'post',
    path,
    summary: "Register a device for a pass's update pushes",
    tag: 'PassKit web service',
    auth: 'none',
    params: registrationParams,
    body: registrationBody,
    credential: { kind: 'passToken' },
    headers: AUTH_HEADER,
    responses: {
      201: { description: 'Registered' },
      200: { description: 'Already registered (push token refreshed)' },
      401: { description: 'Unknown serial or wrong token' },
      404: { description: 'Unknown pass type' },
    },
    async handler({ params, body, req }) {
      const { created } = await web.register(
        params.deviceLibraryIdentifier,
        params.passTypeIdentifier,
        params.serialNumber,
        req.get('Authorization'),
        body.pushToken,
      );
      return { status: created ? 201 : 200 };
    },
  });
  api.add({
    method: 'delete',
    path,
    summary: 'Unregister a device from a pass',
    tag: 'PassKit web service',
    auth: 'none',
    params: registrationParams,
    credential: { kind: 'passToken' },
    headers: AUTH_HEADER,
    responses: {
      200: { description: 'Unregistered' },
      401: { description: 'Unknown serial or wrong token' },
    },
    async handler({ params, req }) {
      await web.unregister(
        params.deviceLibraryIdentifier,
        params.passTypeIdentifier,
        params.serialNumber,
        req.get('Authorization'),
      );
      return { status: 200 };
    },
  });
  api.add({
    method: 'get',
    path: `${BASE}/devices/:deviceLibraryIdentifier/registrations/:passTypeIdentifier`,
    summary: "Serials of the device's passes updated since a tag",
    tag: 'PassKit web service',
    auth: 'none',
    params: deviceParams,
    query: updatedQuery,
    responses: {
      200: { description: 'Changed serials and the next tag', schema: updatedSerials },
      204: { description: 'Nothing changed' },
    },
    async handler({ params, query }) {
      const r = await web.updatedSerials(
        params.deviceLibraryIdentifier,
        params.passTypeIdentifier,
        query.passesUpdatedSince,
      );
      return r ? { status: 200, body: r } : { status: 204 };
    },
  });
  api.add({
    method: 'get',
    path: `${BASE}/passes/:passTypeIdentifier/:serialNumber`,
    summary: 'The latest version of a pass',
    tag: 'PassKit web service',
    auth: 'none',
    params: passParams,
    credential: { kind: 'passToken' },
    headers: [...AUTH_HEADER, ...CONDITIONAL_HEADERS],
    responses: {
      200: { description: 'Signed pass with Last-Modified', contentType: PKPASS },
      304: { description: 'Not modified since If-Modified-Since / If-None-Match' },
      401: { description: 'Unknown serial or wrong token' },
    },
    async handler({ params, req, res }) {
      const pass = await web.latestPass(
        params.passTypeIdentifier,
        params.serialNumber,
        req.get('Authorization'),
        conditions(req),
      );
      return sendPass(res, pass);
    },
  });
  api.add({
    method: 'post',
    path: `${BASE}/log`,
    summary: 'Error messages from devices (logged, bounded)',
    tag: 'PassKit web service',
    auth: 'none',
    body: logBody,
    responses: { 200: { description: 'Logged' } },
    async handler({ body, req }) {
      const logs = body.logs.slice(0, MAX_LOG_LINES).map((l) => l.slice(0, MAX_LOG_LINE));
      req.log.warn({ passkitLogs: logs, total: body.logs.length }, 'PassKit device log');
      return { status: 200 };
    },
  });
}
