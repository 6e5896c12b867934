// Ferry's FTP and local connectors with no engine, store, plan or Meter around them: the middle step between
// bench/floors/ftp-small-up.mjs (plain sockets, the same commands) and `ferry copy` (docs/benchmarks.md,
// "FTP small uploads, split"). Four workers, each with its own connector (connectionBudget 1, wrapped with
// the timeouts as the endpoint pool does); per file a local read, a write to a temp name with the file's time
// (the SIZE that verifies it comes with the write), and the rename. Bundled first, so that tsx's compiling
// is not measured:
//   npx esbuild bench/probes/ftp-connector-up.ts --bundle --platform=node --format=esm --outfile=/tmp/ftp-connector-up.mjs \
//     --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
//   FTP_HOST=… FTP_PORT=… FTP_USER=… FTP_PASS=… node /tmp/ftp-connector-up.mjs LOCAL_DIR REMOTE_DIR
import { readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ftpManifest } from '../../electron/core/connectors/ftp';
import { localManifest } from '../../electron/core/connectors/local';
import { withTimeouts } from '../../electron/core/connectors/timeouts';
import { FileTrustStore } from '../../electron/core/trust/file-trust-store';
import type { ConnectContext } from '../../electron/core/connectors/types';

const [localDir, remoteDir] = process.argv.slice(2);
const { FTP_HOST = '127.0.0.1', FTP_PORT = '21', FTP_USER = 'anonymous', FTP_PASS } = process.env;
const t0 = performance.now();
const ctx = (): ConnectContext => ({
  profile: { id: 'x', name: 'vsftpd', options: { host: FTP_HOST, port: Number(FTP_PORT), user: FTP_USER, tls: 'none' } },
  secret: async (n) => (n === 'password' ? FTP_PASS : undefined),
  trust: new FileTrustStore(join(tmpdir(), 'ferry-probe-trust'), null),
  log: { debug() {}, info() {}, warn() {} },
  connectionBudget: 1,
});
const local = await localManifest.connect({} as ConnectContext);
const conns = await Promise.all([0, 1, 2, 3].map(async () => withTimeouts(await ftpManifest.connect(ctx()), 'vsftpd')));
await conns[0].mkdir(remoteDir);
const names = readdirSync(localDir).sort();
let next = 0;
await Promise.all(
  conns.map(async (c) => {
    while (next < names.length) {
      const name = names[next++];
      const src = `${localDir}/${name}`;
      const st = statSync(src);
      const tmp = `${remoteDir}/.${name}.ferry-x.part`;
      const r = await local.read(src);
      const w = await c.write(tmp, r, { size: st.size, modified: st.mtime });
      if (w.storedSize !== st.size) throw new Error(`${tmp}: the server holds ${w.storedSize} bytes, ${st.size} were sent`);
      await c.rename!(tmp, `${remoteDir}/${name}`);
    }
  }),
);
for (const c of conns) await c.close?.();
console.log(`${names.length} files in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
