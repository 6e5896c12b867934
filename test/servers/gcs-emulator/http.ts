import type { IncomingMessage, ServerResponse } from 'node:http';

/** An error the JSON API returns: HTTP status, Google's `reason` string, and message. */
export class GcsHttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** Google's error body: {"error": {"code", "message", "errors": [{"message","domain","reason"}]}}. */
export function sendError(res: ServerResponse, e: unknown): void {
  const err = e instanceof GcsHttpError ? e : new GcsHttpError(500, 'backendError', e instanceof Error ? e.message : String(e));
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, err.status, {
    error: { code: err.status, message: err.message, errors: [{ message: err.message, domain: 'global', reason: err.reason }] },
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': 'application/json; charset=UTF-8', 'Content-Length': String(data.length), ...headers });
  res.end(data);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Length': '0', ...headers });
  res.end();
}

/** The whole request body, as the chunks it arrived in. */
export async function readChunks(req: IncomingMessage): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return chunks;
}

/** A JSON request body ({} when empty); 400 when it is not JSON. */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = Buffer.concat(await readChunks(req)).toString('utf8').trim();
  if (!text) return {};
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    throw new GcsHttpError(400, 'parseError', 'Parse Error');
  }
}

/**
 * Splits the raw request path into decoded segments. Splitting before decoding is what keeps an object
 * name's encoded "/" (%2F) inside one segment; "+" in a path is a literal plus, as in any URL path.
 */
export function pathSegments(rawPath: string): string[] {
  return rawPath
    .split('/')
    .filter((s, i) => i > 0 || s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        throw new GcsHttpError(400, 'invalid', 'Invalid URL encoding in the request path.');
      }
    });
}

/** The base URL clients reached us by (for selfLink, mediaLink and the resumable session URI). */
export function baseUrlOf(req: IncomingMessage): string {
  return `http://${req.headers.host ?? '127.0.0.1'}`;
}
