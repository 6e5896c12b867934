// The floor of plain Node for 2,000 small FTP uploads: the protocol's minimum, with no engine, store or
// stream layers. Four control connections; per file EPSV and STOR in one write, one data connection, the
// file read with one synchronous call. "safe" adds what Ferry keeps per file: a temp name, the file's time
// (MDTM with a time, as on vsftpd) and the SIZE that verifies the write, in one write sent when the data
// connection ends, then RNFR and RNTO in one write. The same commands and writes as Ferry's upload
// (electron/core/connectors/ftp/fs.ts).
//   FTP_PORT=… FTP_USER=… FTP_PASS=… [FTP_HOST=127.0.0.1] node bench/floors/ftp-small-up.mjs LOCAL_DIR REMOTE_DIR [safe]
import fs from 'node:fs';
import net from 'node:net';
import { FTP_HOST, login, passivePort } from './ftp-control.mjs';

const t0 = performance.now();
const [local, remote, mode] = process.argv.slice(2);
const safe = mode === 'safe';
const expect = (line, code) => {
  if (!line.startsWith(String(code))) throw new Error(`expected ${code}, got ${line.trim()}`);
};
const conns = await Promise.all([login(), login(), login(), login()]);
const names = fs.readdirSync(local).sort();
conns[0].send(`MKD ${remote}`);
await conns[0].reply(); // 257, or 550 where it exists

let next = 0;
async function worker(c) {
  while (next < names.length) {
    const name = names[next++];
    const path = `${local}/${name}`;
    const target = safe ? `${remote}/.${name}.tmp` : `${remote}/${name}`;
    const st = fs.statSync(path);
    const bytes = fs.readFileSync(path);
    c.send('EPSV', `STOR ${target}`);
    const data = net.connect(passivePort(await c.reply()), FTP_HOST);
    data.end(bytes);
    await new Promise((r) => data.on('finish', r));
    if (safe) {
      const stamp = st.mtime.toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, '');
      // vsftpd sets a time with MDTM and a time argument (Ferry sends MFMT where FEAT lists it).
      c.send(`MDTM ${stamp} ${target}`, `SIZE ${target}`);
    }
    expect(await c.reply(), 226);
    if (safe) {
      expect(await c.reply(), 213); // the time set
      const size = await c.reply();
      if (Number(size.slice(4)) !== bytes.length) throw new Error(`${target}: ${size.trim()}, sent ${bytes.length}`);
      c.send(`RNFR ${target}`, `RNTO ${remote}/${name}`);
      expect(await c.reply(), 350);
      expect(await c.reply(), 250);
    }
  }
}
await Promise.all(conns.map(worker));
for (const c of conns) c.ctl.end();
console.log(`${names.length} files in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
