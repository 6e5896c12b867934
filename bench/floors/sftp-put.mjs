// The floor of ssh2's own SFTP upload for one big file: ssh2's fastPut (its pipelined WRITEs, 64 of 32 KiB in
// flight, aes128-gcm as Ferry picks), straight to the final name, no verification.
//   SSH_PORT=… SSH_USER=… SSH_KEY=… [SSH_HOST=127.0.0.1] node bench/floors/sftp-put.mjs LOCAL_FILE REMOTE_FILE
import { connectSftp } from './ssh2-connect.mjs';

const [local, remote] = process.argv.slice(2);
const t0 = performance.now();
const { c, sftp } = await connectSftp();
const connected = performance.now();
await new Promise((resolve, reject) => sftp.fastPut(local, remote, { concurrency: 64, chunkSize: 32768 }, (e) => (e ? reject(e) : resolve())));
c.end();
const s = (ms) => (ms / 1000).toFixed(2);
console.log(`connect ${s(connected - t0)} s, transfer ${s(performance.now() - connected)} s`);
