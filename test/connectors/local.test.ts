import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { describeConformance } from '../conformance/suite';
import { localManifest } from '../../electron/core/connectors/local';
import type { ConnectContext } from '../../electron/core/connectors/types';

const root = mkdtempSync(join(tmpdir(), 'ferry-local-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// The local connector reads nothing from its context; a bare one is enough.
const ctx = {} as ConnectContext;

describeConformance('local', async () => ({
  connect: () => localManifest.connect(ctx),
  root,
  capabilities: localManifest.capabilities,
}));
