import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { FerryCore } from '../../electron/core/app';
import { startServer, type RunningServer } from '../../electron/cli/serve/server';
import { tempDir } from '../support/temp';

/** `ferry serve` must be safe against other web pages open in the same browser, and against DNS rebinding. */
describe('ferry serve', () => {
  const home = tempDir();
  let core: FerryCore;
  let srv: RunningServer;
  let base: string;

  beforeAll(async () => {
    const renderer = join(home.path, 'renderer');
    mkdirSync(renderer);
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Ferry</title>');
    core = new FerryCore({ home: join(home.path, 'home') });
    srv = await startServer(core, { port: 0, rendererDir: renderer });
    base = `http://127.0.0.1:${srv.port}`;
  });
  afterAll(async () => {
    await srv.close();
    await core.close();
    home.cleanup();
  });

  const open = (opts: { token?: string; origin?: string; host?: string }) =>
    new Promise<{ ok: boolean; status?: number; ws?: WebSocket }>((resolve) => {
      const protocols = ['ferry.v1', ...(opts.token !== undefined ? [`token.${opts.token}`] : [])];
      const ws = new WebSocket(`ws://127.0.0.1:${srv.port}/api`, protocols, {
        headers: { Origin: opts.origin ?? base, ...(opts.host ? { Host: opts.host } : {}) },
      });
      ws.once('open', () => resolve({ ok: true, ws }));
      ws.once('unexpected-response', (_req, res) => resolve({ ok: false, status: res.statusCode }));
      ws.once('error', () => resolve({ ok: false }));
    });

  const call = (ws: WebSocket, method: string, input: unknown) =>
    new Promise<{ ok: boolean; result?: unknown; error?: { code: string } }>((resolve) => {
      const id = Math.floor(Math.random() * 1e6);
      ws.on('message', (d) => {
        const m = JSON.parse(String(d));
        if (m.type === 'result' && m.id === id) resolve(m.result);
      });
      ws.send(JSON.stringify({ id, method, input }));
    });

  it('prints a URL on 127.0.0.1 with the token in the fragment (never sent to a server)', () => {
    expect(srv.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${srv.port}/#token=[0-9a-f]{64}$`));
  });

  it('refuses the API without the token, or with a wrong one', async () => {
    expect(await open({})).toMatchObject({ ok: false, status: 403 });
    expect(await open({ token: 'f'.repeat(64) })).toMatchObject({ ok: false, status: 403 });
  });

  it('refuses another web page (foreign Origin) even with the token', async () => {
    expect(await open({ token: srv.token, origin: 'https://evil.example' })).toMatchObject({ ok: false, status: 403 });
    expect(await open({ token: srv.token, origin: 'null' })).toMatchObject({ ok: false, status: 403 });
  });

  it('refuses a rebound host name', async () => {
    expect(await open({ token: srv.token, host: `evil.example:${srv.port}` })).toMatchObject({ ok: false, status: 403 });
    // fetch() cannot set Host; a raw request can, as a rebinding page's browser would send it.
    const status = await new Promise<number>((resolve, reject) => {
      request({ host: '127.0.0.1', port: srv.port, path: '/', headers: { Host: `evil.example:${srv.port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject).end();
    });
    expect(status).toBe(421);
  });

  it('serves the app with a strict CSP and answers calls with the token', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-eval');
    const { ok, ws } = await open({ token: srv.token });
    expect(ok).toBe(true);
    const r = await call(ws!, 'app.info', {});
    expect(r.ok).toBe(true);
    const bad = await call(ws!, 'fs.list', { endpoint: 'local' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    ws!.close();
  });

  it('does not serve files outside the renderer folder', async () => {
    const res = await fetch(`${base}/..%2f..%2fhome%2fferry.db`);
    expect([403, 200]).toContain(res.status);
    if (res.status === 200) expect(await res.text()).toContain('<title>Ferry</title>'); // fell back to the app shell
  });
});
