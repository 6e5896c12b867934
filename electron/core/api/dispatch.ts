import { apiContract, type ApiHandlers, type CallResult, type MethodName } from '../../../shared/api';
import { FerryError, toErrorData } from '../errors';

/**
 * The one entry point both transports (Electron IPC and `ferry serve`'s WebSocket) call: the method must be
 * in the contract, its input is validated with the contract's schema, and any error comes back as data.
 */
export async function dispatch(handlers: ApiHandlers, method: string, input: unknown): Promise<CallResult<unknown>> {
  try {
    if (!Object.hasOwn(apiContract, method)) {
      throw new FerryError('INVALID_INPUT', `Unknown method "${method}"`, { detail: { method } });
    }
    const m = method as MethodName;
    const parsed = apiContract[m].input.safeParse(input ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new FerryError('INVALID_INPUT', `Invalid input for ${m}: ${issue.path.join('.') || '(root)'}: ${issue.message}`, {
        detail: { method: m, issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
      });
    }
    const handler = handlers[m] as (input: unknown) => Promise<unknown>;
    return { ok: true, result: await handler(parsed.data) };
  } catch (e) {
    return { ok: false, error: toErrorData(e) };
  }
}
