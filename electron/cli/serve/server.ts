import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
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
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  const clients = new Set<WebSocket>();
  let port = 0;

  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  server.on('request', (req, res) => {
    if (!allowedHosts().has(req.headers.host ?? '')) return deny(res, 421, 'wrong Host');
    if (req.method !== 'GET' && req.method !== 'HEAD') return deny(res, 405, 'method not allowed');
    serveStatic(opts.rendererDir, req, res, port);
  });

  server.on('upgrade', (req, socket, head) => {
    const protocols = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
    const given = protocols.find((p) => p.startsWith('token.'))?.slice('token.'.length) ?? '';
    const ok =
      new URL(req.url ?? '/', 'http://x').pathname === '/api' &&
      allowedHosts().has(req.headers.host ?? '') &&
      allowedOrigins().has(String(req.headers.origin ?? '')) &&
      given.length === token.length &&
      timingSafeEqual(Buffer.from(given), Buffer.from(token));
    if (!ok) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws) => {
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
    ws.on('message', async (data) => {
      let id = -1;
      try {
        const req = WsRequestSchema.parse(JSON.parse(String(data)));
        id = req.id;
        const result = await dispatch(core.handlers, req.method, req.input);
        send(ws, { type: 'result', id, result });
      } catch {
        send(ws, { type: 'result', id, result: { ok: false, error: { code: 'INVALID_INPUT', message: 'Malformed request', retryable: false } } });
      }
    });
  });

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

function send(ws: WebSocket, msg: WsMessage): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
}

function deny(res: ServerResponse, status: number, why: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain' }).end(why + '\n');
}

function serveStatic(root: string, req: IncomingMessage, res: ServerResponse, port: number): void {
  const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  let file = normalize(join(root, pathname === '/' ? 'index.html' : pathname));
  if (!file.startsWith(normalize(root) + sep)) return deny(res, 403, 'forbidden');
  if (!existsSync(file) || !statSync(file).isFile()) file = join(root, 'index.html'); // client-side routes
  if (!existsSync(file)) return deny(res, 503, 'the renderer is not built: run npm run build');
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
  res.writeHead(200, headers);
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file).pipe(res);
}
