// The floors' ssh2 connection: aes128-gcm first (as Ferry's connector picks), key auth, from SSH_HOST (default
// 127.0.0.1), SSH_PORT, SSH_USER and SSH_KEY. The bench's own server: its host key is not what is measured.
import fs from 'node:fs';
import { createRequire } from 'node:module';

const { Client } = createRequire(import.meta.url)('ssh2');

/** A logged-in ssh2 client. */
export function connect() {
  const { SSH_HOST = '127.0.0.1', SSH_PORT, SSH_USER, SSH_KEY } = process.env;
  const cipher = { remove: ['aes128-gcm@openssh.com'], prepend: ['aes128-gcm@openssh.com'] };
  return new Promise((resolve, reject) => {
    const c = new Client();
    c.on('ready', () => resolve(c)).on('error', reject);
    c.connect({ host: SSH_HOST, port: Number(SSH_PORT), username: SSH_USER, privateKey: fs.readFileSync(SSH_KEY), hostVerifier: () => true, algorithms: { cipher } });
  });
}

/** A logged-in client and its SFTP channel. */
export async function connectSftp() {
  const c = await connect();
  const sftp = await new Promise((resolve, reject) => c.sftp((e, s) => (e ? reject(e) : resolve(s))));
  return { c, sftp };
}
