import { FERRY_VERSION } from '../core/version';

// `ferry --version` answers before the commands (and the core they load) are imported: it is what scripts
// call to check for Ferry, and it should cost no more than Node's own start-up.
const argv = process.argv.slice(2);
// The bundle is minified (scripts/build-cli.mjs): a debug run's stack traces point into the sources instead.
if (process.env.FERRY_DEBUG) process.setSourceMapsEnabled(true);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(FERRY_VERSION + '\n');
} else {
  const { main } = await import('./main');
  main(argv).then(
    (code) => {
      // Done: exit once stdout and stderr are flushed, rather than when the event loop drains. Everything the
      // command opened is closed by now; what is left (kept-alive sockets being torn down, the keychain's
      // D-Bus connection) only kept the process alive for tens of ms after its answer (`ferry serve` and
      // the scheduler resolve only when they are stopped).
      process.exitCode = code;
      process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
    },
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
