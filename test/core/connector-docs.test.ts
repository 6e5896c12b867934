import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderConnectorDocs } from '../../electron/core/connectors/docs';

describe('docs/connectors.md', () => {
  it('matches the manifests (run npm run docs after changing an option)', () => {
    const onDisk = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'connectors.md'), 'utf8');
    expect(onDisk).toBe(renderConnectorDocs());
  });
});
