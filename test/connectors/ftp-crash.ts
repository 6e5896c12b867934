import { expect } from 'vitest';
import type { Connector } from '../../electron/core/connectors/types';
import { FerryError } from '../../electron/core/errors';
import type { FtpServer } from '../servers/ftp';
import { put, randomData } from '../conformance/helpers';

/**
 * The server process dies while a download sits mid-stream: the stream fails with a retryable
 * CONNECTION_LOST, and once the server is back the same connector works again. Shared by FTP and FTPS.
 */
export async function expectCrashMidDownloadRecovers(c: Connector, srv: FtpServer): Promise<void> {
  try {
    await put(c, '/crash.bin', randomData(8 * 1024 * 1024));
    const stream = await c.read('/crash.bin');
    await new Promise((resolve) => stream.once('data', resolve));
    // Listening before the crash: the error arrives while the stream sits paused.
    const failed = new Promise<unknown>((resolve) => stream.once('error', resolve));
    stream.pause();
    await srv.kill();
    const err = (await failed) as FerryError;
    expect(err).toBeInstanceOf(FerryError);
    expect(err.code).toBe('CONNECTION_LOST');
    expect(err.retryable).toBe(true);
    await srv.restart();
    expect((await c.stat('/crash.bin')).size).toBe(8 * 1024 * 1024);
  } finally {
    await c.close();
  }
}
