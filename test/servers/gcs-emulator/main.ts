/**
 * Runs the GCS stand-in on its own (for the benchmark and for trying rclone against it):
 *   node --import tsx test/servers/gcs-emulator/main.ts [--port 4443] [--host 127.0.0.1] [--max-page-size 1000]
 * Prints the endpoint and serves until SIGINT/SIGTERM. See server.ts for what it is and is not.
 * rclone: `type = google cloud storage`, `anonymous = true`, `bucket_policy_only = true`,
 * `project_number = anything` (rclone needs one to make buckets), `endpoint = http://127.0.0.1:PORT/storage/v1/`.
 */
import { parseArgs } from 'node:util';
import { startGcsEmulator } from './server';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    'max-page-size': { type: 'string', default: '1000' },
  },
});
const emu = await startGcsEmulator({ host: values.host, port: Number(values.port), maxPageSize: Number(values['max-page-size']) });
console.log(`GCS stand-in (not Google Cloud Storage) listening on ${emu.url}`);
const stop = () => void emu.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
