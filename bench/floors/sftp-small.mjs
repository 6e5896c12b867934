// The floor of ssh2 (the SSH library Ferry uses) for 2,000 small SFTP downloads, with no engine, store or
// stream layers: four connections (aes128-gcm, as Ferry picks), per file OPEN, READ, CLOSE, and the bytes
// written with synchronous calls under a temp name, the file's time set, then renamed. "safe" adds the
// source's re-check as Ferry makes it: an FSTAT of the handle after the last READ, sent with the CLOSE.
//   SSH_PORT=… SSH_USER=… SSH_KEY=… [SSH_HOST=127.0.0.1] node bench/floors/sftp-small.mjs REMOTE_DIR DEST [safe]
import fs from 'node:fs';
import { connectSftp } from './ssh2-connect.mjs';

const [remote, dest, mode] = process.argv.slice(2);
fs.mkdirSync(dest, { recursive: true });
const t0 = performance.now();

const call = (f) => new Promise((resolve, reject) => f((e, v) => (e ? reject(e) : resolve(v))));

const conns = await Promise.all([connectSftp(), connectSftp(), connectSftp(), connectSftp()]);
const names = (await call((cb) => conns[0].sftp.readdir(remote, cb))).map((e) => e.filename).sort();
let next = 0;
await Promise.all(
  conns.map(async ({ sftp }) => {
    const buf = Buffer.allocUnsafe(1024 * 1024);
    while (next < names.length) {
      const name = names[next++];
      const handle = await call((cb) => sftp.open(`${remote}/${name}`, 'r', cb));
      let pos = 0;
      for (let n; (n = await call((cb) => sftp.read(handle, buf, pos, 32768, pos, (e, got) => cb(e, got)))); ) pos += n;
      const facts = mode === 'safe' ? call((cb) => sftp.fstat(handle, cb)) : null;
      await Promise.all([facts, call((cb) => sftp.close(handle, cb))]);
      const tmp = `${dest}/.${name}.tmp`;
      const fd = fs.openSync(tmp, 'w');
      fs.writeSync(fd, buf, 0, pos, 0);
      fs.futimesSync(fd, 1e9, 1e9);
      fs.closeSync(fd);
      fs.renameSync(tmp, `${dest}/${name}`);
    }
  }),
);
for (const { c } of conns) c.end();
console.log(`${names.length} files in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
