import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { WsRequestSchema, type WsMessage } from '../../../shared/api';
import type { FerryCore } from '../../core/app';
import { dispatch } from '../../core/api/dispatch';

export interface ServeOptions {
  port: number;
  rendererDir: string;
  token?: string;
}

export interface RunningServer {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/** The same policy as the desktop window: nothing inline, no eval, talk only to this server. */
export const cspFor = (port: number) =>
  [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');

/**
 * `ferry serve`: the renderer and the API for a browser, on 127.0.0.1 only. The API is a WebSocket that
 * requires the random token (sent as a subprotocol, so it never appears in a URL the server logs) and checks
 * Host (against DNS rebinding) and Origin (against other pages in the same browser: cross-site WebSocket
 * hijacking). Static files hold no data; every API payload is validated against the shared contract.
 */
export async function startServer(core: FerryCore, opts: ServeOptions): Promise<RunningServer> {
  const token = opts.token ?? randomBytes(32).toString('hex');
  const server: Server = createServer();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const clients = new Set<WebSocket>();
  let port = 0;

  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  // Nothing a client sends may stop the server (it holds every running job): each handler answers bad input
  // with an error status, and whatever still throws is answered with 500 and logged, never left uncaught.
  server.on('request', (req, res) => {
    try {
      if (!allowedHosts().has(req.headers.host ?? '')) return deny(res, 421, 'wrong Host');
      if (req.method !== 'GET' && req.method !== 'HEAD') return deny(res, 405, 'method not allowed');
      serveStatic(opts.rendererDir, req, res, port);
    } catch (e) {
      core.log.warn('ferry serve: a request failed', { url: req.url?.slice(0, 200), error: String(e) });
      if (!res.headersSent) deny(res, 500, 'internal error');
      else res.destroy();
    }
  });
  // Requests Node's HTTP parser cannot read (a NUL in the request line, headers over 16 KiB...) get its own
  // 400/431 from its default 'clientError' handling, which also survives clients that hang up mid-request.

  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const refuse = (status: string) => {
      if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    try {
      if (pathOf(req.url) !== '/api') return refuse('403 Forbidden');
      const protocols = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
      const given = Buffer.from(protocols.find((p) => p.startsWith('token.'))?.slice('token.'.length) ?? '');
      const expected = Buffer.from(token);
      const ok =
        allowedHosts().has(req.headers.host ?? '') &&
        allowedOrigins().has(String(req.headers.origin ?? '')) &&
        given.length === expected.length && // bytes, not characters: timingSafeEqual throws on a length mismatch
        timingSafeEqual(given, expected);
      if (!ok) return refuse('403 Forbidden');
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    } catch (e) {
      core.log.warn('ferry serve: an upgrade failed', { url: req.url?.slice(0, 200), error: String(e) });
      refuse('400 Bad Request');
    }
  });

  wss.on('connection', (ws) => {
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
    // Protocol errors (a frame over maxPayload, invalid UTF-8, a bad opcode...): ws closes the connection
    // itself with the matching code (1009, 1007, 1002) and reports it here; without a listener it is thrown.
    ws.on('error', (e) => core.log.debug('ferry serve: a client broke the WebSocket protocol', { error: String(e) }));
    ws.on('message', (data, isBinary) => void answer(ws, data, isBinary));
  });

  /** One request frame → one result frame. Input that cannot be read is answered with id -1. */
  const answer = async (ws: WebSocket, data: RawData, isBinary: boolean): Promise<void> => {
    const invalid = (id: number, why: string) =>
      send(ws, { type: 'result', id, result: { ok: false, error: { code: 'INVALID_INPUT', message: `Malformed request: ${why}`, retryable: false } } });
    try {
      if (isBinary) return invalid(-1, 'binary frames are not part of the API (send JSON text)');
      let parsed: unknown;
      try {
        parsed = JSON.parse(String(data));
      } catch {
        return invalid(-1, 'not JSON');
      }
      const req = WsRequestSchema.safeParse(parsed);
      if (!req.success) {
        const id = (parsed as { id?: unknown } | null)?.id;
        return invalid(Number.isInteger(id) ? (id as number) : -1, 'expected {id: integer, method: string, input}');
      }
      const started = Date.now();
      const result = await dispatch(core.handlers, req.data.method, req.data.input);
      // Method, time and outcome, and a file call's path: another input may hold a secret (a profile's password).
      const path = req.data.method.startsWith('fs.') ? (req.data.input as { path?: unknown } | null)?.path : undefined;
      core.log.debug('ferry serve: answered', {
        method: req.data.method,
        ...(typeof path === 'string' ? { path: path.slice(0, 200) } : {}),
        ms: Date.now() - started,
        ...(result.ok ? {} : { code: result.error.code, message: result.error.message }),
      });
      send(ws, { type: 'result', id: req.data.id, result });
    } catch (e) {
      core.log.warn('ferry serve: answering a request failed', { error: String(e) });
    }
  };

  const offEvents = core.onEvent((event, payload) => {
    for (const ws of clients) send(ws, { type: 'event', event, payload });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  port = (server.address() as { port: number }).port;
  return {
    port,
    token,
    url: `http://127.0.0.1:${port}/#token=${token}`,
    close: async () => {
      offEvents();
      for (const ws of clients) ws.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** Requests larger than this close the connection (1009): no API call needs more. */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** Longer request targets are refused (414); no file the renderer serves has a name near this. */
const MAX_URL_LENGTH = 2048;

function send(ws: WebSocket, msg: WsMessage): void {
  if (ws.readyState !== ws.OPEN) return;
  let text: string;
  try {
    text = JSON.stringify(msg);
  } catch (e) {
    // A result JSON cannot carry (a BigInt, a cycle) is still answered, as an error.
    if (msg.type !== 'result') return;
    text = JSON.stringify({ type: 'result', id: msg.id, result: { ok: false, error: { code: 'INTERNAL', message: `The result could not be sent: ${String(e)}`, retryable: false } } });
  }
  ws.send(text, (err) => {
    if (err) ws.terminate();
  });
}

/** The path of a request target, or null when it does not parse ("//", "//[", ...). */
function pathOf(url: string | undefined): string | null {
  try {
    return new URL(url ?? '/', 'http://x').pathname;
  } catch {
    return null;
  }
}

function deny(res: ServerResponse, status: number, why: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain' }).end(why + '\n');
}

function serveStatic(root: string, req: IncomingMessage, res: ServerResponse, port: number): void {
  if ((req.url ?? '').length > MAX_URL_LENGTH) return deny(res, 414, 'URI too long');
  const raw = pathOf(req.url);
  if (raw === null) return deny(res, 400, 'bad request target');
  let pathname: string;
  try {
    pathname = decodeURIComponent(raw);
  } catch {
    return deny(res, 400, 'bad percent-encoding in the path');
  }
  // No file of the renderer has a control character, a NUL or a backslash in its name.
  if (/[\x00-\x1f\x7f\\]/.test(pathname)) return deny(res, 400, 'bad characters in the path');
  const base = normalize(root);
  let file = normalize(join(base, pathname === '/' ? 'index.html' : pathname));
  if (!file.startsWith(base + sep)) return deny(res, 403, 'forbidden');
  if (!isFile(file)) {
    // A missing asset is a 404; any other path is the app (the page itself decides what to show).
    if (extname(pathname) && extname(pathname) !== '.html') return deny(res, 404, 'not found');
    file = join(base, 'index.html');
  }
  if (!isFile(file)) return deny(res, 503, 'the renderer is not built: run npm run build');
  const headers: Record<string, string> = {
    'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  };
  if (extname(file) === '.html') {
    headers['Content-Security-Policy'] = cspFor(port);
    headers['X-Frame-Options'] = 'DENY';
  }
  if (req.method === 'HEAD') return void res.writeHead(200, headers).end();
  const stream = createReadStream(file);
  // The file can vanish or fail between the check and the read (a rebuild): answer, never throw.
  stream.on('error', () => {
    if (!res.headersSent) deny(res, 500, 'cannot read the file');
    else res.destroy();
  });
  stream.once('open', () => {
    res.writeHead(200, headers);
    stream.pipe(res);
  });
  res.once('close', () => stream.destroy());
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false; // missing, a name too long, or one the file system cannot hold
  }
}
