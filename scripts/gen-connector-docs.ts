// Writes docs/connectors.md from the connector manifests (the same options drive the profile form and the
// CLI flags). `npm run docs`; a test fails when the file is stale.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderConnectorDocs } from '../electron/core/connectors/docs';

writeFileSync(join(import.meta.dirname, '..', 'docs', 'connectors.md'), renderConnectorDocs());
console.log('wrote docs/connectors.md');
