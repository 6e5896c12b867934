/**
 * The GCS stand-in's own tricky parts, checked with raw HTTP (the SDK hides them): the resumable protocol as
 * Google documents it, paging through collapsed prefixes, byte ranges, and the multipart body rclone's Go
 * client sends. The stand-in is NOT Google Cloud Storage; these tests pin what it promises to imitate.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGcsEmulator, type GcsEmulator } from './server';

let emu: GcsEmulator;
const KiB = 1024;

beforeAll(async () => {
  emu = await startGcsEmulator({ maxPageSize: 2 });
  await fetch(`${emu.url}/storage/v1/b?project=p`, { method: 'POST', body: JSON.stringify({ name: 'bkt' }) });
});
afterAll(() => emu?.close());

async function upload(name: string, body: string | Buffer): Promise<Response> {
  return fetch(`${emu.url}/upload/storage/v1/b/bkt/o?uploadType=media&name=${encodeURIComponent(name)}`, { method: 'POST', body });
}

async function session(name: string): Promise<string> {
  const r = await fetch(`${emu.url}/upload/storage/v1/b/bkt/o?uploadType=resumable&name=${encodeURIComponent(name)}`, { method: 'POST', body: '{}' });
  expect(r.status).toBe(200);
  return r.headers.get('location')!;
}

describe('gcs stand-in: resumable uploads', () => {
  it('reports progress with 308 + Range, accepts a resent overlap, and commits only on the last byte', async () => {
    const data = randomBytes(600 * KiB);
    const uri = await session('r.bin');
    const status = await fetch(uri, { method: 'PUT', headers: { 'Content-Range': 'bytes */*' } });
    expect(status.status).toBe(308);
    expect(status.headers.get('range')).toBeNull(); // nothing persisted yet: no Range at all

    const tooSmall = await fetch(uri, { method: 'PUT', headers: { 'Content-Range': 'bytes 0-999/*' }, body: data.subarray(0, 1000) });
    expect(tooSmall.status).toBe(400);

    // 300 KiB sent, not the last chunk: persisted in whole 256 KiB units.
    const first = await fetch(uri, { method: 'PUT', headers: { 'Content-Range': `bytes 0-${300 * KiB - 1}/*` }, body: data.subarray(0, 300 * KiB) });
    expect(first.status).toBe(308);
    expect(first.headers.get('range')).toBe(`bytes=0-${256 * KiB - 1}`);
    expect((await fetch(`${emu.url}/storage/v1/b/bkt/o/r.bin`)).status).toBe(404);

    // Go's client asks for 200 + X-Http-Status-Code-Override instead of a 308.
    const noRedirect = await fetch(uri, { method: 'POST', headers: { 'Content-Range': 'bytes */*', 'X-GUploader-No-308': 'yes' } });
    expect(noRedirect.status).toBe(200);
    expect(noRedirect.headers.get('x-http-status-code-override')).toBe('308');

    // The client resends from 200 KiB (it had sent up to 300 KiB): the already persisted part is skipped.
    const last = await fetch(uri, {
      method: 'PUT',
      headers: { 'Content-Range': `bytes ${200 * KiB}-${data.length - 1}/${data.length}` },
      body: data.subarray(200 * KiB),
    });
    expect(last.status).toBe(200);
    const obj = (await last.json()) as { size: string; name: string };
    expect(obj).toMatchObject({ size: String(data.length), name: 'r.bin' });
    expect(Buffer.from(await (await fetch(`${emu.url}/storage/v1/b/bkt/o/r.bin?alt=media`)).arrayBuffer()).equals(data)).toBe(true);
    // Once done, the session answers with the object.
    expect((await fetch(uri, { method: 'PUT', headers: { 'Content-Range': 'bytes */*' } })).status).toBe(200);
  });

  it('checks ifGenerationMatch=0 when the upload completes', async () => {
    await upload('taken.txt', 'first');
    const r = await fetch(`${emu.url}/upload/storage/v1/b/bkt/o?uploadType=media&name=taken.txt&ifGenerationMatch=0`, { method: 'POST', body: 'second' });
    expect(r.status).toBe(412);
    expect(await (await fetch(`${emu.url}/storage/v1/b/bkt/o/taken.txt?alt=media`)).text()).toBe('first');
  });

  it('rejects a final chunk whose X-Goog-Hash does not match', async () => {
    const uri = await session('hashed.txt');
    const r = await fetch(uri, { method: 'PUT', headers: { 'Content-Range': 'bytes 0-4/5', 'X-Goog-Hash': 'md5=AAAAAAAAAAAAAAAAAAAAAA==' }, body: 'hello' });
    expect(r.status).toBe(400);
    expect((await fetch(`${emu.url}/storage/v1/b/bkt/o/hashed.txt`)).status).toBe(404);
  });
});

describe('gcs stand-in: objects', () => {
  it('pages through a delimiter listing without repeating a prefix that spans pages', async () => {
    for (const n of ['p/a', 'p/d1/x', 'p/d1/y', 'p/d1/z', 'p/d2/x', 'p/e']) await upload(n, n);
    const items: string[] = [];
    const prefixes: string[] = [];
    let token = '';
    let pages = 0;
    do {
      const r = (await (await fetch(`${emu.url}/storage/v1/b/bkt/o?prefix=p%2F&delimiter=%2F${token ? `&pageToken=${token}` : ''}`)).json()) as {
        items?: Array<{ name: string }>; prefixes?: string[]; nextPageToken?: string;
      };
      items.push(...(r.items ?? []).map((i) => i.name));
      prefixes.push(...(r.prefixes ?? []));
      token = r.nextPageToken ?? '';
      pages++;
    } while (token);
    expect(items).toEqual(['p/a', 'p/e']);
    expect(prefixes).toEqual(['p/d1/', 'p/d2/']);
    expect(pages).toBe(2);
  });

  it('serves byte ranges (206), and 416 past the end', async () => {
    await upload('range.txt', '0123456789');
    const part = await fetch(`${emu.url}/storage/v1/b/bkt/o/range.txt?alt=media`, { headers: { Range: 'bytes=2-4' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 2-4/10');
    expect(await part.text()).toBe('234');
    const tail = await fetch(`${emu.url}/storage/v1/b/bkt/o/range.txt?alt=media`, { headers: { Range: 'bytes=-3' } });
    expect(await tail.text()).toBe('789');
    expect((await fetch(`${emu.url}/storage/v1/b/bkt/o/range.txt?alt=media`, { headers: { Range: 'bytes=10-' } })).status).toBe(416);
  });

  it('keeps hostile names exact: an encoded "/" stays inside the name, "+" is a plus', async () => {
    const name = 'dir/a+b %2F #?.txt';
    expect((await upload(name, 'x')).status).toBe(200);
    const md = (await (await fetch(`${emu.url}/storage/v1/b/bkt/o/${encodeURIComponent(name)}`)).json()) as { name: string; md5Hash: string; crc32c: string };
    expect(md.name).toBe(name);
    expect(md.md5Hash).toBe('ndTkYSaMgDT1yFZOFVxnpg=='); // base64 MD5 of "x", as Google reports it
    expect(md.crc32c).toBe('qTxfkw==');
  });

  it('reads a multipart upload whose media part has no headers (as Go\'s client sends it)', async () => {
    const body =
      '--B\r\nContent-Type: application/json\r\n\r\n{"name":"go.txt","metadata":{"mtime":"2020-01-02T03:04:05Z"}}\r\n' +
      '--B\r\n\r\nhi\n\r\n--B--';
    const r = await fetch(`${emu.url}/upload/storage/v1/b/bkt/o?uploadType=multipart`, {
      method: 'POST',
      headers: { 'Content-Type': 'multipart/related; boundary=B' },
      body,
    });
    expect(await r.json()).toMatchObject({ name: 'go.txt', size: '3', metadata: { mtime: '2020-01-02T03:04:05Z' } });
  });
});

/** The benchmark compares Ferry with rclone on this stand-in, so rclone must work against it too. */
describe('gcs stand-in: rclone (the reference tool) works against it', () => {
  it('copies up (multipart and resumable), checks MD5s, copies back, lists', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-gcs-rclone-'));
    try {
      const conf = join(dir, 'rclone.conf');
      writeFileSync(conf, `[g]\ntype = google cloud storage\nanonymous = true\nbucket_policy_only = true\nproject_number = ferry-test\nendpoint = ${emu.url}/storage/v1/\n`);
      mkdirSync(join(dir, 'src', 'sub'), { recursive: true });
      const big = randomBytes(20 * 1024 * KiB); // above rclone's 16 MiB chunk: a resumable upload in two chunks
      writeFileSync(join(dir, 'src', 'big.bin'), big);
      writeFileSync(join(dir, 'src', 'sub', 'a b+c%.txt'), 'small');
      const rclone = (...args: string[]) => promisify(execFile)('rclone', ['--config', conf, ...args], { timeout: 60_000 });
      await rclone('mkdir', 'g:rclone-bkt');
      await rclone('copy', join(dir, 'src'), 'g:rclone-bkt/dst');
      await rclone('check', join(dir, 'src'), 'g:rclone-bkt/dst'); // fails (non-zero exit) on any MD5 difference
      await rclone('copy', 'g:rclone-bkt/dst', join(dir, 'back'));
      expect(readFileSync(join(dir, 'back', 'big.bin')).equals(big)).toBe(true);
      expect(readFileSync(join(dir, 'back', 'sub', 'a b+c%.txt'), 'utf8')).toBe('small');
      const { stdout } = await rclone('lsf', '-R', 'g:rclone-bkt/dst');
      expect(stdout.split('\n').filter(Boolean).sort()).toEqual(['big.bin', 'sub/', 'sub/a b+c%.txt']);
      await rclone('purge', 'g:rclone-bkt');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
