import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer } from 'node:net';

/** What a canned loopback server answers to one request. */
export interface CannedResponse {
  /** HTTP status. */
  readonly status?: number;
  /** Response body; an object is sent as JSON. */
  readonly body?: string | object;
  /** Extra response headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /** `'headers'`: never answer; `'body'`: send the headers and part of the body, then stall. */
  readonly hang?: 'headers' | 'body';
}

/** A request handler: the request URL in, the canned response out. */
export type CannedHandler = (url: URL) => CannedResponse;

/** A loopback HTTP server on 127.0.0.1 with a swappable handler. */
export interface CannedServer {
  /** `http://127.0.0.1:<port>/`. */
  readonly baseUrl: string;
  /** Every request URL received, in order. */
  readonly requests: URL[];
  /** Replaces the handler (and clears `requests`). */
  setHandler(handler: CannedHandler): void;
  /** Closes the server and every open connection (hanging ones included). */
  close(): Promise<void>;
}

/** Starts a {@link CannedServer} on 127.0.0.1, port 0. */
export async function startCannedServer(): Promise<CannedServer> {
  let handler: CannedHandler = () => ({ status: 404, body: 'no handler' });
  const requests: URL[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(url);
    let canned: CannedResponse;
    try {
      canned = handler(url);
    } catch (error) {
      canned = { status: 500, body: String(error) };
    }
    if (canned.hang === 'headers') return;
    const body =
      canned.body === undefined
        ? ''
        : typeof canned.body === 'string'
          ? canned.body
          : JSON.stringify(canned.body);
    const headers: Record<string, string> = {
      'content-type': typeof canned.body === 'object' ? 'application/json' : 'text/plain',
      ...canned.headers,
    };
    if (canned.hang === 'body') {
      res.writeHead(canned.status ?? 200, headers);
      res.write(body.slice(0, Math.max(1, Math.floor(body.length / 2))));
      return;
    }
    if (headers['transfer-encoding'] === undefined) {
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    res.writeHead(canned.status ?? 200, headers);
    res.end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    baseUrl: `http://127.0.0.1:${address.port}/`,
    requests,
    setHandler(next) {
      handler = next;
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A TCP port on 127.0.0.1 that was free a moment ago (listen on port 0, read it, close). */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = address !== null && typeof address === 'object' ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (port === 0) throw new Error('could not pick a free port');
  return port;
}

/** A Prometheus `success` envelope around an instant vector. */
export function vectorBody(
  series: readonly { readonly metric: Record<string, string>; readonly value: string }[],
  timeSeconds = 1_700_000_000,
  extra: Record<string, unknown> = {},
): object {
  return {
    status: 'success',
    data: {
      resultType: 'vector',
      result: series.map((s) => ({ metric: s.metric, value: [timeSeconds, s.value] })),
    },
    ...extra,
  };
}
