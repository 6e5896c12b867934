import type { Capabilities } from '../../../../shared/connectors';
import type { ConnectContext } from '../types';
import { createClients } from './client';
import { AzureConnector } from './connector';
import type { AzureTuning } from './index';
import { AzureSession } from './session';

/** The Azure connect, loaded by index.ts only when an Azure profile connects (it pulls in @azure/storage-blob). */
export async function openAzure(ctx: ConnectContext, capabilities: Capabilities, tuning: AzureTuning): Promise<AzureConnector> {
  const clients = await createClients(ctx);
  const session = new AzureSession(clients, ctx.log, tuning.listPageSize);
  await verifyAccess(session, ctx.signal);
  return new AzureConnector(session, capabilities);
}

/**
 * One cheap request so that wrong credentials fail at connect (AUTH_FAILED), not at the first listing:
 * the first blob of the fixed container, else the first container of the account. (A GET, not a HEAD:
 * only a response body tells refused credentials from a missing permission.)
 */
async function verifyAccess(s: AzureSession, signal?: AbortSignal): Promise<void> {
  const fixed = s.clients.fixedContainer;
  try {
    if (fixed) await fixed.listBlobsFlat({ abortSignal: signal }).byPage({ maxPageSize: 1 }).next();
    else await s.clients.service.listContainers({ abortSignal: signal }).byPage({ maxPageSize: 1 }).next();
  } catch (e) {
    const mapped = s.fail(e, fixed ? `container ${fixed.containerName}` : undefined);
    // A SAS may allow writing without listing: only refused credentials (or a missing container) stop here.
    if (mapped.code === 'PERMISSION_DENIED') return;
    throw mapped;
  }
}
