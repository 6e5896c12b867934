import { HostKeyDetailSchema, type HostKeyDetail } from '../../../../shared/errors';
import type { FerryClientError } from '../../api/errors';

/** A question the user must answer before a failed call can be retried. */
export type Prompt =
  | { kind: 'host-key'; changed: boolean; detail: HostKeyDetail; message: string }
  | { kind: 'secret'; profileId: string; name: string; message: string };

/** Reads what the dialog needs from an intercepted error, or null when its detail is not usable. */
export function promptFor(error: FerryClientError): Prompt | null {
  if (error.code === 'HOST_KEY_UNKNOWN' || error.code === 'HOST_KEY_CHANGED') {
    const parsed = HostKeyDetailSchema.safeParse(error.detail);
    if (!parsed.success) return null;
    return { kind: 'host-key', changed: error.code === 'HOST_KEY_CHANGED', detail: parsed.data, message: error.message };
  }
  if (error.code === 'SECRET_REQUIRED') {
    const d = error.detail ?? {};
    if (typeof d.profileId !== 'string' || typeof d.name !== 'string') return null;
    return { kind: 'secret', profileId: d.profileId, name: d.name, message: error.message };
  }
  return null;
}

/** Same host key or same secret asked by several calls at once: one dialog answers them all. */
export function promptKey(p: Prompt): string {
  return p.kind === 'host-key'
    ? `hk ${p.changed} ${p.detail.kind} ${p.detail.host}:${p.detail.port} ${p.detail.fingerprint}`
    : `secret ${p.profileId} ${p.name}`;
}
