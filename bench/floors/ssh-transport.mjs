// The floor of ssh2's SSH transport alone, no SFTP: a 1 GiB file through an exec channel (aes128-gcm, as
// Ferry picks). "down": `cat FILE` on the server, into DEST (a file, written by a write stream) or into
// nothing ("-"); "up": the local FILE into `cat > /dev/null`. Needs an sshd that runs commands (the bench's
// allows SFTP only: start another on its config without ForceCommand). Compare with OpenSSH:
//   ssh -c aes128-gcm@openssh.com … cat FILE > DEST      ssh -c aes128-gcm@openssh.com … 'cat > /dev/null' < FILE
//   SSH_PORT=… SSH_USER=… SSH_KEY=… [SSH_HOST=127.0.0.1] node bench/floors/ssh-transport.mjs down REMOTE_FILE DEST|-
//   SSH_PORT=… SSH_USER=… SSH_KEY=… [SSH_HOST=127.0.0.1] node bench/floors/ssh-transport.mjs up LOCAL_FILE
import fs from 'node:fs';
import { connect } from './ssh2-connect.mjs';

const [direction, file, dest] = process.argv.slice(2);
const t0 = performance.now();
const c = await connect();
const connected = performance.now();
let bytes = 0;
await new Promise((resolve, reject) =>
  c.exec(direction === 'up' ? 'cat > /dev/null' : `cat '${file}'`, (e, channel) => {
    if (e) return reject(e);
    channel.on('close', resolve);
    if (direction === 'up') {
      channel.resume(); // its (empty) output must be read for the channel to close
      fs.createReadStream(file, { highWaterMark: 1024 * 1024 }).on('data', (d) => (bytes += d.length)).pipe(channel);
      return;
    }
    channel.on('data', (d) => (bytes += d.length));
    if (dest !== '-') channel.pipe(fs.createWriteStream(dest));
  }),
);
c.end();
const s = (ms) => (ms / 1000).toFixed(2);
console.log(`${direction} ${bytes} bytes: connect ${s(connected - t0)} s, transfer ${s(performance.now() - connected)} s`);
