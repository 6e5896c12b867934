// The floor of plain Node for 2,000 small FTP downloads: the protocol's minimum, with no engine, store or
// stream layers. Four control connections; per file EPSV and RETR in one write, one data connection, the
// bytes written with synchronous calls. "safe" adds what Ferry keeps per file: a temp name, the file's
// time, the source's SIZE+MDTM re-check after the transfer, and the rename.
//   FTP_PORT=… FTP_USER=… FTP_PASS=… [FTP_HOST=127.0.0.1] node bench/floors/ftp-small.mjs REMOTE_DIR DEST [safe]
import fs from 'node:fs';
import net from 'node:net';
import { FTP_HOST, login, passivePort } from './ftp-control.mjs';

const t0 = performance.now();
const [remote, dest, mode] = process.argv.slice(2);
const safe = mode === 'safe';
fs.mkdirSync(dest, { recursive: true });
const conns = await Promise.all([login(), login(), login(), login()]);
const first = conns[0];
first.send('EPSV');
const listing = net.connect(passivePort(await first.reply()), FTP_HOST);
let text = '';
listing.on('data', (d) => (text += d));
first.send(`NLST ${remote}`);
await new Promise((r) => listing.on('end', r));
await first.reply();
const names = text.split('\r\n').filter(Boolean).map((l) => l.split('/').pop());

let next = 0;
async function worker(c) {
  while (next < names.length) {
    const name = names[next++];
    c.send('EPSV', `RETR ${remote}/${name}`);
    const port = passivePort(await c.reply());
    const target = safe ? `${dest}/.${name}.tmp` : `${dest}/${name}`;
    const fd = fs.openSync(target, 'w');
    let pos = 0;
    const data = net.connect(port, FTP_HOST);
    data.on('data', (b) => (pos += fs.writeSync(fd, b, 0, b.length, pos)));
    await new Promise((r) => data.on('end', r));
    await c.reply(); // 226
    if (safe) fs.futimesSync(fd, 1e9, 1e9);
    fs.closeSync(fd);
    if (safe) {
      c.send(`SIZE ${remote}/${name}`, `MDTM ${remote}/${name}`);
      await c.reply();
      await c.reply();
      fs.renameSync(target, `${dest}/${name}`);
    }
  }
}
await Promise.all(conns.map(worker));
for (const c of conns) c.ctl.end();
console.log(`${names.length} files in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
