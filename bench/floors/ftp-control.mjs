// The floors' FTP control connection (bench/floors/ftp-small.mjs, ftp-small-up.mjs): plain Node sockets,
// the server's address from the environment (FTP_HOST, default 127.0.0.1; FTP_PORT, FTP_USER, FTP_PASS).
import net from 'node:net';

const { FTP_PORT, FTP_USER, FTP_PASS } = process.env;
export const FTP_HOST = process.env.FTP_HOST || '127.0.0.1';

/** A control connection: `send` writes commands in one write, `reply` gives the next final reply line. */
export function control() {
  const ctl = net.connect(Number(FTP_PORT), FTP_HOST).setNoDelay(true);
  let buf = '';
  const waiters = [];
  const lines = [];
  ctl.on('data', (d) => {
    buf += d;
    for (let m; (m = /^(\d{3}) .*\r\n/m.exec(buf)); ) {
      const line = buf.slice(0, m.index + m[0].length);
      buf = buf.slice(m.index + m[0].length);
      if (line.startsWith('150')) continue;
      const w = waiters.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  const reply = () => (lines.length ? Promise.resolve(lines.shift()) : new Promise((r) => waiters.push(r)));
  const send = (...commands) => ctl.write(commands.map((c) => `${c}\r\n`).join(''));
  return { ctl, reply, send };
}

export async function login() {
  const c = control();
  await c.reply();
  for (const command of [`USER ${FTP_USER}`, `PASS ${FTP_PASS}`, 'TYPE I']) {
    c.send(command);
    await c.reply();
  }
  return c;
}

export const passivePort = (line) => Number(/\|\|\|(\d+)\|/.exec(line)[1]);
