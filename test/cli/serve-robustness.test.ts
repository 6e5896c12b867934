import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { tempDir } from '../support/temp';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * `ferry serve` must not fall over on bad input: any web page in the user's browser (or any local process)
 * can send a request to 127.0.0.1, and the server holds every running job. It runs here as its own process
 * (the CLI's entry point, from source), so a crash shows as the process exiting, not as a test error.
 * Every malformed request must get an error status, and afterwards the server must still answer.
 */
describe('ferry serve stays up on malformed input', () => {
  const home = tempDir('ferry-serve-robust-');
  let child: ChildProcess;
  let output = '';
  let port = 0;
  let token = '';
  let base = '';

  beforeAll(async () => {
    const renderer = join(home.path, 'renderer');
    mkdirSync(renderer);
    writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Ferry</title>');
    writeFileSync(join(renderer, 'app.js'), 'console.log(1)');
    child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'electron', 'cli', 'index.ts'), 'serve', '--port', '0'], {
      cwd: ROOT,
      env: { ...process.env, FERRY_HOME: join(home.path, 'home'), FERRY_RENDERER_DIR: renderer, CI: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (output += String(d)));
    child.stderr!.on('data', (d) => (output += String(d)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`ferry serve did not start: ${output}`)), 60_000);
      const check = () => {
        const m = /http:\/\/127\.0\.0\.1:(\d+)\/#token=([0-9a-f]+)/.exec(output);
        if (!m) return;
        clearTimeout(timer);
        port = Number(m[1]);
        token = m[2];
        base = `http://127.0.0.1:${port}`;
        resolve();
      };
      child.stdout!.on('data', check);
      child.once('exit', (code) => reject(new Error(`ferry serve exited (${code}) before serving: ${output}`)));
    });
  });
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    home.cleanup();
  });

  /** The process is still running (its output says why when it is not). */
  const running = () => {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`ferry serve died (${child.exitCode ?? child.signalCode}):\n${output}`);
  };

  /** One raw HTTP exchange on its own connection: the status line's code (null when none came) and the text. */
  const raw = (request: string | Buffer) =>
    new Promise<{ status: number | null; text: string }>((resolve) => {
      const s = connect(port, '127.0.0.1');
      let buf = Buffer.alloc(0);
      s.on('data', (d) => (buf = Buffer.concat([buf, d])));
      s.on('error', () => {});
      s.setTimeout(10_000, () => s.destroy());
      s.on('close', () => {
        const text = buf.toString('latin1');
        const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
        resolve({ status: m ? Number(m[1]) : null, text });
      });
      s.write(request);
    });
  const get = (path: string, method = 'GET', extra = '') =>
    raw(Buffer.from(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n${extra}\r\n`, 'latin1'));

  const open = () =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, ['ferry.v1', `token.${token}`], { headers: { Origin: base } });
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });

  /** Sends one frame and waits for the result that answers it (by id, or id -1 for what could not be read). */
  const answer = (ws: WebSocket, frame: string | Buffer, id = -1, binary = false) =>
    new Promise<{ ok: boolean; result?: unknown; error?: { code: string; message: string } }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${String(frame).slice(0, 60)}`)), 10_000);
      const onMessage = (d: WebSocket.RawData) => {
        const m = JSON.parse(String(d));
        if (m.type === 'result' && m.id === id) {
          clearTimeout(timer);
          ws.off('message', onMessage);
          resolve(m.result);
        }
      };
      ws.on('message', onMessage);
      ws.send(frame, { binary });
    });

  /** The server answers a normal page request and a normal API call. */
  const alive = async () => {
    running();
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>Ferry</title>');
    const ws = await open();
    try {
      const r = await answer(ws, JSON.stringify({ id: 7, method: 'app.info', input: {} }), 7);
      expect(r.ok).toBe(true);
    } finally {
      ws.close();
    }
    running();
  };

  it('answers malformed and hostile paths with an error status, and stays up', async () => {
    await alive();
    const cases: Array<[string, number[]]> = [
      ['/%zz', [400]],
      ['/%', [400]],
      ['/%E0%A4%A', [400]],
      ['/%C0%AE%C0%AE/', [400]], // overlong UTF-8 for ".."
      ['//', [400]],
      ['//[', [400]],
      ['/..%2f..%2fetc/passwd', [403, 404]],
      ['/%2e%2e/%2e%2e/etc/passwd', [200, 403, 404]], // URL parsing resolves the dots: the app shell at most
      ['/..\\..\\etc\\passwd', [200, 403, 404]],
      ['/a%00b', [400]],
      ['/%1b[31mred', [400]],
      ['/missing.js', [404]],
      ['/' + 'a'.repeat(10_000), [414]],
      ['/' + 'a'.repeat(40_000), [414, 431]], // beyond Node's header limit, the HTTP parser answers itself
    ];
    for (const [path, allowed] of cases) {
      const r = await get(path);
      expect({ path: path.slice(0, 40), status: r.status }).toEqual({ path: path.slice(0, 40), status: expect.toBeOneOf(allowed) });
      expect(r.text).not.toMatch(/root:.*:0:0:/);
      if (r.status === 200) expect(r.text).toContain('<title>Ferry</title>');
      running();
    }
    // Bytes the HTTP parser itself refuses: a NUL and an ESC in the request line.
    for (const line of ['GET /a\0b HTTP/1.1', 'GET /\x1b[2J HTTP/1.1']) {
      const r = await raw(Buffer.from(`${line}\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`, 'latin1'));
      expect(r.status).toBe(400);
      running();
    }
    await alive();
  });

  it('answers unsupported and malformed HTTP methods and requests with an error status, and stays up', async () => {
    expect((await get('/', 'DELETE')).status).toBe(405);
    expect((await get('/', 'POST', 'Content-Length: 5\r\n\r\nhello')).status).toBe(405);
    expect((await get('/app.js', 'PUT', 'Content-Length: 0\r\n')).status).toBe(405);
    expect([400, 405]).toContain((await get('/', 'BREW')).status);
    expect((await raw('HELLO\r\n\r\n')).status).toBe(400);
    expect((await raw(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: -1\r\n\r\n`)).status).toBe(400);
    expect([400, 421]).toContain((await raw(`GET / HTTP/1.1\r\n\r\n`)).status); // no Host
    running();
    await alive();
  });

  it('answers malformed WebSocket messages with INVALID_INPUT on the same connection, and stays up', async () => {
    const ws = await open();
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    const invalid = { ok: false, error: { code: 'INVALID_INPUT' } };
    for (const frame of ['not json', '', 'null', '[]', '42', '{"id":"x","method":"app.info"}', '{"id":1.5,"method":"app.info"}', '{"method":"app.info"}', '['.repeat(200_000) + ']'.repeat(200_000)]) {
      expect(await answer(ws, frame)).toMatchObject(invalid);
    }
    // Binary frames are not part of the API, even with JSON inside.
    expect(await answer(ws, Buffer.from(JSON.stringify({ id: 3, method: 'app.info', input: {} })), -1, true)).toMatchObject(invalid);
    // A method the contract does not have, and names that only look like one.
    for (const method of ['no.such.method', '__proto__', 'constructor', 'toString', '']) {
      expect(await answer(ws, JSON.stringify({ id: 11, method, input: {} }), 11)).toMatchObject(invalid);
    }
    // Inputs that fail the method's schema.
    for (const input of [{ endpoint: 42 }, { endpoint: 'local', path: { $gt: '' } }, 'text', [1, 2]]) {
      expect(await answer(ws, JSON.stringify({ id: 12, method: 'fs.list', input }), 12)).toMatchObject(invalid);
    }
    // The connection is still in step.
    expect(await answer(ws, JSON.stringify({ id: 13, method: 'app.info', input: {} }), 13)).toMatchObject({ ok: true });
    ws.close();
    expect(await closed).toBe(1005);
    await alive();
  });

  it('closes a connection that sends a message over the size limit (1009), and stays up', async () => {
    const ws = await open();
    ws.on('error', () => {});
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.send('x'.repeat(16 * 1024 * 1024 + 1));
    expect(await closed).toBe(1009);
    await alive();
  });

  /** A WebSocket by hand: the handshake, then frames no library would send. Resolves with the server's close code. */
  const rawWs = (frames: Buffer[], opts: { token?: string; path?: string } = {}) =>
    new Promise<{ status: number | null; closeCode: number | null }>((resolve) => {
      const s = connect(port, '127.0.0.1');
      let buf = Buffer.alloc(0);
      let upgraded = false;
      s.on('error', () => {});
      s.setTimeout(10_000, () => s.destroy());
      s.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        if (!upgraded && buf.includes('\r\n\r\n') && /^HTTP\/1\.1 101/.test(buf.toString('latin1'))) {
          upgraded = true;
          buf = buf.subarray(buf.indexOf('\r\n\r\n') + 4);
          for (const f of frames) s.write(f);
          // A broken frame is answered at once; a connection that is fine (or waits for more) is left after a while.
          s.setTimeout(2000, () => s.destroy());
        }
      });
      s.on('close', () => {
        const text = buf.toString('latin1');
        const status = upgraded ? 101 : Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? NaN) || null;
        // The server's close frame: 0x88, a length, then the code.
        const at = upgraded ? buf.indexOf(0x88) : -1;
        resolve({ status, closeCode: at >= 0 && buf.length >= at + 4 ? buf.readUInt16BE(at + 2) : null });
      });
      const key = randomBytes(16).toString('base64');
      s.write(
        Buffer.from(
          `GET ${opts.path ?? '/api'} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: ${base}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ferry.v1, token.${opts.token ?? token}\r\n\r\n`,
          'latin1',
        ),
      );
    });
  /** A client frame: FIN + opcode, masked (or not), payload. */
  const frame = (opcode: number, payload: Buffer, masked = true) => {
    const mask = Buffer.from([1, 2, 3, 4]);
    const body = masked ? Buffer.from(payload.map((b, i) => b ^ mask[i % 4])) : payload;
    return Buffer.concat([Buffer.from([0x80 | opcode, (masked ? 0x80 : 0) | payload.length]), masked ? mask : Buffer.alloc(0), body]);
  };

  it('closes connections that send broken WebSocket frames (protocol errors, invalid UTF-8), and stays up', async () => {
    expect(await rawWs([frame(0x1, Buffer.from([0xff, 0xfe, 0x41]))])).toMatchObject({ status: 101, closeCode: 1007 });
    running();
    expect(await rawWs([frame(0x3, Buffer.from('hi'))])).toMatchObject({ status: 101, closeCode: 1002 });
    running();
    expect(await rawWs([frame(0x1, Buffer.from('{"id":1}'), false)])).toMatchObject({ status: 101, closeCode: 1002 });
    running();
    // A continuation frame with nothing to continue, and a control frame longer than 125 bytes.
    expect(await rawWs([frame(0x0, Buffer.from('x'))])).toMatchObject({ status: 101, closeCode: 1002 });
    running();
    expect(await rawWs([Buffer.concat([Buffer.from([0x89, 0x80 | 126, 0x00, 0xc8, 1, 2, 3, 4]), Buffer.alloc(200)])])).toMatchObject({ status: 101, closeCode: 1002 });
    running();
    // Truncated: a frame header announcing more than ever comes, then the client goes away.
    expect(await rawWs([Buffer.from([0x81, 0xfe, 0xff])]).then(() => 'ok', () => 'ok')).toBe('ok');
    running();
    await alive();
  });

  it('refuses malformed upgrade requests with a status (odd token bytes, unparsable path), and stays up', async () => {
    // As many characters as the token, but not ASCII: the comparison must not throw.
    expect((await rawWs([], { token: '\xe9'.repeat(token.length) })).status).toBe(403);
    running();
    for (const path of ['//', '//[', '/%zz', '/api/../api?x=%zz']) {
      const r = await rawWs([], { path });
      expect(r.status === 101 ? 'upgraded' : r.status).toEqual(expect.toBeOneOf([400, 403, 'upgraded']));
      running();
    }
    await alive();
  });
});
