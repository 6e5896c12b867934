// Endpoint and option names, without the schemas: what the core and the CLI need at start-up (shared/connectors.ts,
// with zod, loads only when a payload is validated).
import type { OptionSpec } from './connectors';

/** The endpoint that is this computer; every other endpoint is a saved profile's id. */
export const LOCAL_ENDPOINT = 'local';

/** kebab-case of an option name for CLI flags and env names: blockSizeMiB → block-size-mib. */
export const kebabOption = (name: string) => name.replace(/MiB\b/g, 'Mib').replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

/** The CLI flag of an option (without "--"). */
export const cliFlagOf = (o: Pick<OptionSpec, 'name' | 'cliFlag'>) => o.cliFlag ?? kebabOption(o.name);

/** The environment variable that can carry a secret option: FERRY_SECRET_SECRET_ACCESS_KEY… */
export const secretEnvName = (option: string) => 'FERRY_SECRET_' + kebabOption(option).replace(/-/g, '_').toUpperCase();
