import type { MethodInput, MethodName, MethodOutput } from '../../../shared/api';
import { bridge } from './bridge';
import { FerryClientError } from './errors';
import { intercept } from './interceptor';

export { FerryClientError } from './errors';

export interface CallOptions {
  /** Let the trust/secret dialogs handle HOST_KEY_* and SECRET_REQUIRED and retry (default true). */
  intercept?: boolean;
}

/** A user accepting a key then hitting another prompt is fine; an endless loop is not. */
const MAX_INTERCEPTS = 3;

/** Typed calls on the API contract: returns the result or throws a FerryClientError. */
export const api = {
  async call<M extends MethodName>(method: M, input: MethodInput<M>, opts: CallOptions = {}): Promise<MethodOutput<M>> {
    for (let round = 0; ; round++) {
      let res;
      try {
        res = await bridge.call(method, input);
      } catch (e) {
        // The preload or socket itself failed (not an API error): report it in the same shape.
        throw new FerryClientError({ code: 'INTERNAL', message: e instanceof Error ? e.message : String(e), retryable: false });
      }
      if (res.ok) return res.result;
      const error = new FerryClientError(res.error);
      if (opts.intercept === false || round >= MAX_INTERCEPTS) throw error;
      if ((await intercept(error)) !== 'retry') throw error;
    }
  },
  on: bridge.on.bind(bridge),
};
