// A WebSocket audio gateway. Clients stream audio chunks; the gateway places each stream on one of
// three fake GPU backends with @headroom/routing's stream router (rendezvous hashing with bounded
// load), keeps it there chunk after chunk, and when a backend drains mid-run (a spot interruption
// notice, a scale-in) moves its streams: it tells each client `{ type: 'migrated', from, to }` and
// re-sends the decoder context (the audio so far) to the new backend before the next chunk.
// Backend health goes through the health tracker (GPU temperature and reply outcomes), whose
// `draining` and `ejected` states drive the stream router. Everything runs in this process on
// 127.0.0.1 and finishes in well under a second; a 5 s deadline fails the run otherwise.
// Run: npx turbo run build --filter=@headroom/routing && npm run example -w @headroom/example-routing-gateway
import type { AddressInfo } from 'node:net';
import { systemClock } from '@headroom/core';
import {
  createHealthTracker,
  createStreamRouter,
  routingInstruments,
  type HealthState,
  type StreamMigration,
} from '@headroom/routing';
import { WebSocket, WebSocketServer, type RawData } from 'ws';

const BACKENDS = ['gpu-0', 'gpu-1', 'gpu-2'];
const DRAINED = 'gpu-1'; // gets its spot interruption notice halfway through
const CLIENTS = 6;
const CHUNKS_PER_CLIENT = 20;
const CHUNK_INTERVAL_MS = 4;
const CHUNK_BYTES = 640; // 20 ms of 16 kHz, 16-bit mono PCM
const CONTEXT_CHUNKS = 50; // decoder context the gateway keeps per stream (1 s of audio)
const DEADLINE_MS = 5_000;

const deadline = setTimeout(() => {
  console.error(`routing-gateway: did not finish within ${DEADLINE_MS} ms`);
  process.exit(1);
}, DEADLINE_MS);

const t0 = systemClock.now();
const log = (line: string): void =>
  console.log(`[${String(systemClock.now() - t0).padStart(4)} ms] ${line}`);

/** Gateway -> backend, before the re-sent context: the next `chunks` binary frames are context. */
interface ContextMessage {
  readonly type: 'context';
  readonly streamId: string;
  /** Sequence number of the first chunk after the context. */
  readonly nextSeq: number;
  readonly chunks: number;
}
/** Backend -> gateway -> client: one transcript piece per audio chunk. */
interface TranscriptMessage {
  readonly type: 'transcript';
  readonly seq: number;
  readonly text: string;
  readonly backend: string;
  readonly temperatureC: number;
}
/** Gateway -> client. */
type ClientMessage =
  | { readonly type: 'opened'; readonly streamId: string; readonly backend: string }
  | TranscriptMessage
  | { readonly type: 'migrated'; readonly from: string; readonly to: string }
  | { readonly type: 'error'; readonly message: string };

const toBuffer = (data: RawData): Buffer =>
  Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);

async function listen(): Promise<{ server: WebSocketServer; url: string }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return { server, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

// ---- fake GPU backends ----------------------------------------------------------------------

const WORDS = ['so', 'the', 'model', 'is', 'loaded', 'and', 'warm', 'now', 'we', 'stream'];
const backendStats = new Map(BACKENDS.map((id) => [id, { transcribed: 0, contextChunks: 0 }]));

/** A decoder per connection: context frames prime it; audio frames each get a transcript piece. */
async function startBackend(id: string): Promise<{ server: WebSocketServer; url: string }> {
  const listening = await listen();
  const stats = backendStats.get(id)!;
  listening.server.on('connection', (socket) => {
    let seq = 0;
    let contextLeft = 0;
    socket.on('message', (data, isBinary) => {
      if (!isBinary) {
        const context = JSON.parse(String(data)) as ContextMessage;
        seq = context.nextSeq;
        contextLeft = context.chunks;
        return;
      }
      if (contextLeft > 0) {
        contextLeft--;
        stats.contextChunks++;
        return;
      }
      const reply: TranscriptMessage = {
        type: 'transcript',
        seq,
        text: WORDS[seq % WORDS.length]!,
        backend: id,
        temperatureC: 64,
      };
      stats.transcribed++;
      seq++;
      socket.send(JSON.stringify(reply));
    });
  });
  return listening;
}

// ---- the gateway ----------------------------------------------------------------------------

/** One stream's connection to a backend. */
interface Link {
  readonly backend: string;
  readonly socket: WebSocket;
  /** Frames sent before the socket opened. */
  readonly queue: (string | Buffer)[];
  /** Audio chunks sent and not yet answered. */
  outstanding: number;
  /** Set when the stream moved away: close once the answers in flight are in. */
  retiring: boolean;
}

interface Session {
  readonly streamId: string;
  readonly client: WebSocket;
  link: Link;
  /** Sequence number of the next audio chunk. */
  seq: number;
  /** The last CONTEXT_CHUNKS chunks: what a new backend needs to continue decoding. */
  readonly context: Buffer[];
  /**
   * The stream router's session handle: chunks route by it in O(1) without hashing the id. It
   * changes only when the stream is placed again (after a TTL expiry), so it is refreshed then.
   */
  handle: number;
}

const backends = await Promise.all(BACKENDS.map(startBackend));
const backendUrl = new Map(BACKENDS.map((id, i) => [id, backends[i]!.url]));

const streams = createStreamRouter({
  boundedLoadEpsilon: 0.25,
  endpoints: BACKENDS.map((id) => ({ id, maxStreams: 4 })), // 4 decoder slots per GPU
});
const health = createHealthTracker({ consecutive5xx: 3 });
/** The health state last applied to the stream router, per backend. */
const applied = new Map<string, HealthState>(BACKENDS.map((id) => [id, 'healthy']));
const sessions = new Map<string, Session>();
const links = new Set<Link>();
const migrations: StreamMigration[] = [];
const openedOn = new Map<string, string>();
let nextSession = 1;

const sendTo = (client: WebSocket, message: ClientMessage): void => {
  if (client.readyState === WebSocket.OPEN) client.send(JSON.stringify(message));
};

function sendOn(link: Link, frame: string | Buffer): void {
  if (link.socket.readyState === WebSocket.OPEN) link.socket.send(frame);
  else link.queue.push(frame);
}

function closeLinkIfIdle(link: Link): void {
  if (link.retiring && link.outstanding === 0 && link.socket.readyState === WebSocket.OPEN) {
    link.socket.close();
  }
}

function openLink(backend: string, client: WebSocket): Link {
  const socket = new WebSocket(backendUrl.get(backend)!);
  const link: Link = { backend, socket, queue: [], outstanding: 0, retiring: false };
  links.add(link);
  socket.on('open', () => {
    for (const frame of link.queue) socket.send(frame);
    link.queue.length = 0;
    closeLinkIfIdle(link);
  });
  socket.on('message', (data) => {
    const reply = JSON.parse(String(data)) as TranscriptMessage;
    const nowMs = systemClock.now();
    link.outstanding--;
    sendTo(client, reply);
    health.observeGpu(backend, { temperatureC: reply.temperatureC }, nowMs);
    applyHealth(backend, health.recordOutcome(backend, true, nowMs));
    closeLinkIfIdle(link);
  });
  socket.on('error', () => {
    applyHealth(backend, health.recordOutcome(backend, false, systemClock.now()));
  });
  socket.on('close', () => links.delete(link));
  return link;
}

/** Moves a session to another backend: the client is told, the new backend gets the context. */
function moveSession(session: Session, to: string): void {
  const from = session.link.backend;
  session.link.retiring = true;
  closeLinkIfIdle(session.link);
  const link = openLink(to, session.client);
  const context: ContextMessage = {
    type: 'context',
    streamId: session.streamId,
    nextSeq: session.seq,
    chunks: session.context.length,
  };
  sendOn(link, JSON.stringify(context));
  for (const chunk of session.context) sendOn(link, chunk);
  session.link = link;
  sendTo(session.client, { type: 'migrated', from, to });
  log(
    `${session.streamId} migrated ${from} -> ${to} (re-sent ${context.chunks} chunks of decoder context)`,
  );
}

function applyMigrations(moved: readonly StreamMigration[], reason: HealthState): void {
  for (const m of moved) {
    migrations.push(m);
    // headroom.routing.migrations: a no-op until the host installs an OpenTelemetry SDK.
    routingInstruments.migrations.add(1, { from: m.from, reason });
    const session = sessions.get(m.streamId);
    if (session === undefined) continue;
    if (m.to === null) {
      sendTo(session.client, { type: 'error', message: `no backend can take ${m.streamId}` });
      session.client.close(1013, 'no backend available');
    } else moveSession(session, m.to);
  }
}

/** Mirrors a backend's health state into the stream router (which moves its streams). */
function applyHealth(backend: string, state: HealthState): void {
  const before = applied.get(backend);
  if (before === state) return;
  applied.set(backend, state);
  if (state === 'ejected') applyMigrations(streams.eject(backend), state);
  else if (state === 'draining') applyMigrations(streams.markDraining(backend), state);
  else if (before === 'ejected' || before === 'draining') streams.markReady(backend);
}

/** An operator drain (a spot interruption notice, a scale-in): no new streams, live ones move. */
function drainBackend(backend: string, why: string): void {
  log(`${backend} drains (${why}): ${streams.load(backend) ?? 0} live streams to move`);
  applyHealth(backend, health.setDraining(backend, true, systemClock.now()));
}

const gateway = await listen();
gateway.server.on('connection', (client) => {
  const streamId = `session-${nextSession++}`;
  const placed = streams.open(streamId, systemClock.now());
  if (!placed.ok) {
    sendTo(client, { type: 'error', message: placed.error.message });
    client.close(1013, 'no backend available');
    return;
  }
  const backend = placed.endpointId; // read before the router is called again (reused object)
  const session: Session = {
    streamId,
    client,
    link: openLink(backend, client),
    seq: 0,
    context: [],
    handle: placed.handle,
  };
  sessions.set(streamId, session);
  openedOn.set(streamId, backend);
  session.link.socket.once('open', () => sendTo(client, { type: 'opened', streamId, backend }));
  log(`${streamId} opened on ${backend}`);

  client.on('message', (data, isBinary) => {
    if (!isBinary) return;
    const nowMs = systemClock.now();
    // By handle (O(1), no hashing); a stale handle (the table forgot the stream) falls back to
    // the id, which places the stream again.
    let hop = streams.routeHandle(session.handle, nowMs);
    if (!hop.ok) hop = streams.route(streamId, nowMs);
    if (!hop.ok) {
      sendTo(client, { type: 'error', message: hop.error.message });
      client.close(1013, 'no backend available');
      return;
    }
    // Live streams move only through the migrations above; a stream the table forgot (idle past
    // its TTL) is placed again and may land elsewhere: move it the same way.
    session.handle = hop.handle;
    if (hop.endpointId !== session.link.backend) moveSession(session, hop.endpointId);
    const chunk = toBuffer(data);
    session.context.push(chunk);
    if (session.context.length > CONTEXT_CHUNKS) session.context.shift();
    session.link.outstanding++;
    session.seq++;
    sendOn(session.link, chunk);
  });
  client.on('close', () => {
    if (!streams.closeHandle(session.handle)) streams.close(streamId);
    sessions.delete(streamId);
    session.link.retiring = true;
    session.link.socket.close();
  });
});

// ---- simulated clients ----------------------------------------------------------------------

interface ClientRun {
  streamId: string;
  /** Backend that answered each chunk, by sequence number. */
  readonly answeredBy: (string | undefined)[];
  readonly moves: { from: string; to: string }[];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const half = (CLIENTS * CHUNKS_PER_CLIENT) / 2;
let sent = 0;

/** Connects; resolves with the socket once the gateway has placed the stream. */
async function connect(run: ClientRun, done: () => void): Promise<WebSocket> {
  const socket = new WebSocket(gateway.url);
  let answered = 0;
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as ClientMessage;
      if (message.type === 'opened') {
        run.streamId = message.streamId;
        resolve(socket);
      } else if (message.type === 'migrated') {
        run.moves.push({ from: message.from, to: message.to });
      } else if (message.type === 'transcript') {
        run.answeredBy[message.seq] = message.backend;
        if (++answered === CHUNKS_PER_CLIENT) done();
      } else {
        reject(new Error(message.message));
      }
    });
  });
}

async function stream(socket: WebSocket, finished: Promise<void>): Promise<void> {
  const pcm = Buffer.alloc(CHUNK_BYTES);
  for (let i = 0; i < CHUNKS_PER_CLIENT; i++) {
    socket.send(pcm);
    if (++sent === half) drainBackend(DRAINED, 'spot interruption notice');
    await sleep(CHUNK_INTERVAL_MS);
  }
  await finished;
  await new Promise<void>((resolve) => {
    socket.once('close', () => resolve());
    socket.close(1000, 'done');
  });
}

console.log(`backends: ${BACKENDS.map((id) => `${id} ${backendUrl.get(id)}`).join(', ')}`);
console.log(`gateway:  ${gateway.url}\n`);

const runs: ClientRun[] = [];
const streaming: Promise<void>[] = [];
for (let i = 0; i < CLIENTS; i++) {
  const run: ClientRun = { streamId: '?', answeredBy: [], moves: [] };
  runs.push(run);
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  // Clients connect one after another (so placement is reproducible) and then stream at once.
  const socket = await connect(run, done);
  streaming.push(stream(socket, finished));
}
await Promise.all(streaming);

// ---- shut down: every socket, then every server ---------------------------------------------

const closeServer = (server: WebSocketServer): Promise<void> =>
  new Promise((resolve) => {
    for (const socket of server.clients) socket.terminate();
    server.close(() => resolve());
  });
for (const link of links) link.socket.close();
while (links.size > 0) await sleep(1);
await closeServer(gateway.server);
await Promise.all(backends.map((b) => closeServer(b.server)));
clearTimeout(deadline);

// ---- summary --------------------------------------------------------------------------------

const perBackend = (count: (id: string) => number): string =>
  BACKENDS.map((id) => `${id} ${count(id)}`).join(', ');
const opened = [...openedOn.values()];
console.log('\nsummary');
console.log(
  `  streams per backend at open: ${perBackend((id) => opened.filter((b) => b === id).length)}`,
);
console.log(
  `  migrations: ${migrations.length} (${migrations.map((m) => `${m.streamId} ${m.from} -> ${m.to ?? 'none'}`).join(', ')})`,
);
console.log(
  `  chunks transcribed: ${perBackend((id) => backendStats.get(id)!.transcribed)}; ` +
    `context chunks re-sent: ${perBackend((id) => backendStats.get(id)!.contextChunks)}`,
);
let sticky = true;
for (const run of runs) {
  // Runs of consecutive chunks on one backend; each change of backend must be one of the
  // stream's migrations, in order, and every chunk must have been answered.
  const segments: { backend: string; chunks: number }[] = [];
  for (const backend of run.answeredBy) {
    const last = segments.at(-1);
    if (last !== undefined && last.backend === backend) last.chunks++;
    else segments.push({ backend: backend ?? 'unanswered', chunks: 1 });
  }
  const changes = segments.slice(1).map((s, i) => `${segments[i]!.backend}->${s.backend}`);
  const moved = run.moves.map((m) => `${m.from}->${m.to}`);
  const ok =
    run.answeredBy.length === CHUNKS_PER_CLIENT &&
    !run.answeredBy.includes(undefined) &&
    segments[0]?.backend === openedOn.get(run.streamId) &&
    changes.length <= moved.length &&
    changes.every((c, i) => c === moved[i]);
  sticky &&= ok;
  console.log(
    `  ${run.streamId}: ${segments.map((s) => `${s.backend} x${s.chunks}`).join(' -> ')}${ok ? '' : '  <- NOT STICKY'}`,
  );
}
console.log(
  `  every chunk of a stream went to one backend except across its migration: ${sticky ? 'yes' : 'NO'}`,
);
console.log(`  finished in ${systemClock.now() - t0} ms; every socket and server closed`);
if (!sticky || migrations.length === 0) process.exitCode = 1;
