// The floor of ssh2 (the SSH library Ferry uses) for 2,000 small SFTP uploads, with no engine, store or
// stream layers: four connections (aes128-gcm, as Ferry picks), each file read whole with synchronous calls.
// "safe" sends Ferry's requests per file: OPEN of a temp name, the WRITEs, then the time (FSETSTAT), the
// FSTAT that verifies the size and the CLOSE together, and the rename (posix-rename) once the size checked.
// Without it, OpenSSH sftp's own: OPEN of the final name, the WRITEs, the CLOSE.
//   SSH_PORT=… SSH_USER=… SSH_KEY=… [SSH_HOST=127.0.0.1] node bench/floors/sftp-small-up.mjs LOCAL_DIR REMOTE_DIR [safe]
import fs from 'node:fs';
import { connectSftp } from './ssh2-connect.mjs';

const [local, remote, mode] = process.argv.slice(2);
const safe = mode === 'safe';
const t0 = performance.now();

const call = (f) => new Promise((resolve, reject) => f((e, v) => (e ? reject(e) : resolve(v))));

const conns = await Promise.all([connectSftp(), connectSftp(), connectSftp(), connectSftp()]);
await call((cb) => conns[0].sftp.mkdir(remote, cb)).catch(() => {});
const names = fs.readdirSync(local).sort();
let next = 0;
await Promise.all(
  conns.map(async ({ sftp }) => {
    while (next < names.length) {
      const name = names[next++];
      const data = fs.readFileSync(`${local}/${name}`);
      const mtime = Math.floor(fs.statSync(`${local}/${name}`).mtimeMs / 1000);
      const target = safe ? `${remote}/.${name}.tmp` : `${remote}/${name}`;
      const handle = await call((cb) => sftp.open(target, 'w', cb));
      const writes = [];
      for (let pos = 0; pos < data.length; pos += 32768) {
        const n = Math.min(32768, data.length - pos);
        writes.push(call((cb) => sftp.write(handle, data, pos, n, pos, cb)));
      }
      if (safe) {
        const timed = call((cb) => sftp.futimes(handle, mtime, mtime, cb));
        const stored = call((cb) => sftp.fstat(handle, cb));
        await Promise.all([...writes, timed, stored, call((cb) => sftp.close(handle, cb))]);
        if ((await stored).size !== data.length) throw new Error(`${name}: the server holds ${(await stored).size} bytes`);
        await call((cb) => sftp.ext_openssh_rename(target, `${remote}/${name}`, cb));
      } else {
        await Promise.all([...writes, call((cb) => sftp.close(handle, cb))]);
      }
    }
  }),
);
for (const { c } of conns) c.end();
console.log(`${names.length} files in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
