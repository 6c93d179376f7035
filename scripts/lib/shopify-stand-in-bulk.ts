/**
 * The stand-in's bulk operations (used by shopify-stand-in.ts): `bulkOperationRunQuery` (the inner
 * document validated against the Admin schema and against Shopify's bulk rules), one running query
 * per shop, `currentBulkOperation` and `node(id:)` polled through CREATED → RUNNING → COMPLETED,
 * and the JSONL export served on the stand-in's own socket, one line per object, a nested
 * connection's nodes on lines of their own with `__parentId`, after their parent.
 */
import type http from 'node:http';
import {
  type DocumentNode,
  execute,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  getNamedType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  parse,
  type SelectionSetNode,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
} from 'graphql';

type Status = 'CREATED' | 'RUNNING' | 'COMPLETED' | 'CANCELED' | 'FAILED' | 'EXPIRED';

interface Operation {
  id: string;
  query: string;
  status: Status;
  /** Polls (of `node` or `currentBulkOperation`) answered so far. */
  polls: number;
  lines: string[];
  roots: number;
  /** Set by `failNext`: the operation ends FAILED with this code. */
  failWith: string | null;
  createdAt: string;
}

/** Test controls and counters of the stand-in's bulk operations. */
export interface StandInBulk {
  /** Polls a new operation answers before it is COMPLETED (default 2: CREATED, RUNNING). */
  pollsBeforeComplete: number;
  /** The next `times` operations started (default 1) end FAILED with `errorCode` instead of COMPLETED. */
  failNext(errorCode: 'ACCESS_DENIED' | 'INTERNAL_SERVER_ERROR' | 'TIMEOUT', times?: number): void;
  /** Expire operation `id` (its file link stops working, as 7 days after completion). */
  expire(id: string): void;
  /** The next download's connection is cut after `lines` lines (a network failure mid-file). */
  breakNextDownloadAfter(lines: number): void;
  /** The next download sends `lines` lines, then nothing more while its connection stays open. */
  stallNextDownloadAfter(lines: number): void;
  /** The operations started, oldest first (id, query, status). */
  readonly operations: readonly { id: string; query: string; status: Status }[];
  /** `bulkOperationRunQuery` calls that started an operation. */
  readonly runs: number;
  /** `bulkOperationRunQuery` calls refused with userErrors (busy, or a query Shopify refuses). */
  readonly refusedRuns: number;
  /** Polls answered (`node(id:)` of a BulkOperation and `currentBulkOperation`). */
  readonly polls: number;
  /** Export downloads started (any outcome). */
  readonly downloads: number;
  /** Lines served across all downloads. */
  readonly linesServed: number;
}

/** Shopify's limits on a bulk query (shopify.dev, "Bulk query limitations"). */
function bulkRuleErrors(schema: GraphQLSchema, doc: DocumentNode): string[] {
  const errors: string[] = [];
  const info = new TypeInfo(schema);
  let connections = 0;
  // Depth of nested connections and whether a list field encloses the current position.
  const stack: { connection: boolean; list: boolean }[] = [];
  visit(
    doc,
    visitWithTypeInfo(info, {
      Field: {
        enter() {
          const type = info.getType();
          const named = type ? getNamedType(type) : undefined;
          const connection = !!named && isObjectType(named) && named.name.endsWith('Connection');
          const inner = type && isNonNullType(type) ? type.ofType : type;
          const list = !!inner && isListType(inner) && !!named && isObjectType(named);
          if (connection) {
            connections += 1;
            if (stack.some((s) => s.list)) {
              errors.push(
                'Queries that contain a connection field within a list field are not currently supported.',
              );
            }
            if (stack.filter((s) => s.connection).length >= 2) {
              errors.push('Bulk queries cannot contain connections with a nesting depth greater than 2.');
            }
          }
          stack.push({ connection, list });
        },
        leave() {
          stack.pop();
        },
      },
    }),
  );
  if (connections === 0) errors.push('Bulk queries must contain at least one connection.');
  if (connections > 5) errors.push('Bulk queries cannot contain more than 5 connections.');
  return [...new Set(errors)];
}

/** A connection-valued field of a result, as the stand-in's resolvers shape them. */
const isConnection = (v: unknown): v is { edges: { node: Record<string, unknown> }[] } =>
  typeof v === 'object' && v !== null && Array.isArray((v as { edges?: unknown }).edges);

/** JSONL lines of one root node: the node without its connections, then their nodes. */
function jsonl(node: Record<string, unknown>, parentId: string | undefined, out: string[]): void {
  const own: Record<string, unknown> = {};
  const nested: { node: Record<string, unknown> }[][] = [];
  for (const [k, v] of Object.entries(node)) {
    if (isConnection(v)) nested.push(v.edges);
    else own[k] = v;
  }
  if (parentId !== undefined) own.__parentId = parentId;
  out.push(JSON.stringify(own));
  for (const edges of nested) for (const e of edges) jsonl(e.node, node.id as string, out);
}

export function standInBulk(opts: {
  schema: GraphQLSchema;
  /** The stand-in's root value (the same resolvers paged queries use). */
  root: () => Record<string, unknown>;
  origin: () => string;
}) {
  const operations: Operation[] = [];
  let pendingFailure: string | null = null;
  let failuresLeft = 0;
  let breakAfter: number | undefined;
  let stallAfter: number | undefined;
  const counts = { runs: 0, refusedRuns: 0, polls: 0, downloads: 0, linesServed: 0 };
  const gid = (n: number) => `gid://shopify/BulkOperation/${n}`;
  const byId = (id: string) => operations.find((o) => o.id === id);
  const fileUrl = (o: Operation) => `${opts.origin()}/bulk/${o.id.split('/').pop()}.jsonl`;
  // Connections without `first` in a bulk query mean every node.
  const bulkResolver: GraphQLFieldResolver<Record<string, unknown>, unknown> = (source, args, _ctx, info) => {
    const v = source?.[info.fieldName];
    if (typeof v !== 'function') return v;
    const named = getNamedType(info.returnType);
    const all = named.name.endsWith('Connection') && args.first === undefined;
    return (v as (a: unknown) => unknown)(all ? { ...args, first: Number.MAX_SAFE_INTEGER } : args);
  };

  function view(o: Operation) {
    const done = o.status === 'COMPLETED';
    const share = done ? 1 : o.status === 'RUNNING' ? o.polls / (bulk.pollsBeforeComplete + 1) : 0;
    return {
      __typename: 'BulkOperation',
      id: o.id,
      status: o.status,
      errorCode: o.status === 'FAILED' ? o.failWith : null,
      objectCount: String(Math.floor(o.lines.length * share)),
      rootObjectCount: String(Math.floor(o.roots * share)),
      url: done ? fileUrl(o) : null,
      partialDataUrl: null,
      fileSize: done ? String(o.lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0)) : null,
      query: o.query,
      type: 'QUERY',
      createdAt: o.createdAt,
      completedAt: done ? new Date().toISOString() : null,
    };
  }

  /** One poll: the operation moves on a step. */
  function poll(o: Operation) {
    counts.polls += 1;
    if (o.status === 'CREATED' || o.status === 'RUNNING') {
      o.polls += 1;
      if (o.polls >= bulk.pollsBeforeComplete) o.status = o.failWith ? 'FAILED' : 'COMPLETED';
      else o.status = 'RUNNING';
    }
    return view(o);
  }

  const root = {
    bulkOperationRunQuery: (args: { query: string }) => {
      const running = operations.find((o) => o.status === 'CREATED' || o.status === 'RUNNING');
      const refuse = (messages: string[]) => {
        counts.refusedRuns += 1;
        return {
          bulkOperation: null,
          userErrors: messages.map((message) => ({ field: ['query'], message })),
        };
      };
      if (running) {
        return refuse([
          `A bulk query operation for this app and shop is already in progress: ${running.id}.`,
        ]);
      }
      let doc: DocumentNode;
      try {
        doc = parse(args.query);
      } catch (err) {
        return refuse([String(err)]);
      }
      const invalid = validate(opts.schema, doc).map((e) => e.message);
      if (invalid.length > 0) return refuse(invalid);
      const rules = bulkRuleErrors(opts.schema, doc);
      if (rules.length > 0) return refuse(rules);
      // The export is the data as of its start.
      const result = execute({
        schema: opts.schema,
        document: doc,
        rootValue: opts.root(),
        fieldResolver: bulkResolver,
      });
      if (result instanceof Promise || result.errors?.length) {
        return refuse([`The query failed: ${JSON.stringify((result as { errors?: unknown }).errors)}`]);
      }
      const lines: string[] = [];
      let roots = 0;
      const op = (doc.definitions[0] as { selectionSet: SelectionSetNode }).selectionSet.selections[0];
      const key = op?.kind === Kind.FIELD ? (op.alias ?? op.name).value : '';
      const top = (result.data as Record<string, unknown>)[key];
      if (isConnection(top)) {
        for (const e of top.edges) {
          roots += 1;
          jsonl(e.node, undefined, lines);
        }
      }
      counts.runs += 1;
      const o: Operation = {
        id: gid(operations.length + 1),
        query: args.query,
        status: 'CREATED',
        polls: 0,
        lines,
        roots,
        failWith: failuresLeft > 0 ? pendingFailure : null,
        createdAt: new Date().toISOString(),
      };
      failuresLeft = Math.max(0, failuresLeft - 1);
      operations.push(o);
      return { bulkOperation: view(o), userErrors: [] };
    },
    currentBulkOperation: () => {
      const o = operations.at(-1);
      return o ? poll(o) : null;
    },
  };

  const bulk: StandInBulk = {
    pollsBeforeComplete: 2,
    failNext(code, times = 1) {
      pendingFailure = code;
      failuresLeft = times;
    },
    breakNextDownloadAfter(lines) {
      breakAfter = lines;
    },
    stallNextDownloadAfter(lines) {
      stallAfter = lines;
    },
    expire(id) {
      const o = byId(id);
      if (!o) throw new Error(`no bulk operation ${id}`);
      o.status = 'EXPIRED';
    },
    get operations() {
      return operations.map((o) => ({ id: o.id, query: o.query, status: o.status }));
    },
    get runs() {
      return counts.runs;
    },
    get refusedRuns() {
      return counts.refusedRuns;
    },
    get polls() {
      return counts.polls;
    },
    get downloads() {
      return counts.downloads;
    },
    get linesServed() {
      return counts.linesServed;
    },
  };

  return {
    bulk,
    /** Root fields to merge into the stand-in's root value. */
    root,
    /** `node(id:)` of a BulkOperation (a poll), or undefined for other ids. */
    node(id: string) {
      const o = byId(id);
      return o ? poll(o) : undefined;
    },
    /** Serve `GET /bulk/<n>.jsonl`; false when the request is not for an export. */
    serve(req: http.IncomingMessage, res: http.ServerResponse): boolean {
      const m = /^\/bulk\/(\d+)\.jsonl$/.exec(req.url ?? '');
      if (req.method !== 'GET' || !m) return false;
      counts.downloads += 1;
      const o = byId(gid(Number(m[1])));
      if (o?.status !== 'COMPLETED') {
        // As Google Cloud Storage answers a signed link that expired.
        res.writeHead(403, { 'content-type': 'application/xml' });
        res.end('<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
        return true;
      }
      res.writeHead(200, { 'content-type': 'application/jsonl' });
      const stall = stallAfter !== undefined;
      const cut = breakAfter ?? stallAfter;
      breakAfter = undefined;
      stallAfter = undefined;
      // Written with backpressure, a chunk of lines at a time: a large export is not one buffer.
      let at = 0;
      const more = () => {
        while (at < o.lines.length) {
          if (cut !== undefined && at >= cut) {
            // Stalled: the socket stays open until the reader gives up.
            if (!stall) res.destroy();
            return;
          }
          const size = Math.min(200, (cut ?? Number.POSITIVE_INFINITY) - at);
          const chunk = `${o.lines.slice(at, at + size).join('\n')}\n`;
          const n = Math.min(size, o.lines.length - at);
          at += n;
          counts.linesServed += n;
          if (!res.write(chunk)) {
            res.once('drain', more);
            return;
          }
        }
        res.end();
      };
      res.on('close', () => res.off('drain', more));
      more();
      return true;
    },
  };
}
