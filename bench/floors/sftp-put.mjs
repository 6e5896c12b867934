// The floor of ssh2's own SFTP upload for one big file: ssh2's fastPut (its pipelined WRITEs, 64 of 32 KiB in
// flight, aes128-gcm as Ferry picks), straight to the final name, no verification.
//   SSH_PORT=… SSH_USER=… SSH_KEY=… [SSH_HOST=127.0.0.1] node bench/floors/sftp-put.mjs LOCAL_FILE REMOTE_FILE
import fs from 'node:fs';
import { createRequire } from 'node:module';

const { Client } = createRequire(import.meta.url)('ssh2');
const { SSH_HOST = '127.0.0.1', SSH_PORT, SSH_USER, SSH_KEY } = process.env;
const [local, remote] = process.argv.slice(2);
const t0 = performance.now();
const c = new Client();
const sftp = await new Promise((resolve, reject) => {
  c.on('ready', () => c.sftp((e, s) => (e ? reject(e) : resolve(s)))).on('error', reject);
  const cipher = { remove: ['aes128-gcm@openssh.com'], prepend: ['aes128-gcm@openssh.com'] };
  c.connect({ host: SSH_HOST, port: Number(SSH_PORT), username: SSH_USER, privateKey: fs.readFileSync(SSH_KEY), hostVerifier: () => true, algorithms: { cipher } });
});
const connected = performance.now();
await new Promise((resolve, reject) => sftp.fastPut(local, remote, { concurrency: 64, chunkSize: 32768 }, (e) => (e ? reject(e) : resolve())));
c.end();
const s = (ms) => (ms / 1000).toFixed(2);
console.log(`connect ${s(connected - t0)} s, transfer ${s(performance.now() - connected)} s`);
