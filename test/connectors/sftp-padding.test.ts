import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { readAll } from '../conformance/helpers';
import { sftpManifest, type SftpConnector } from '../../electron/core/connectors/sftp';
import { pooledRandomFill } from '../../electron/core/connectors/sftp/load-ssh2';
import { FileTrustStore } from '../../electron/core/trust/file-trust-store';
import { server } from '../support/servers';
import { tempDir } from '../support/temp';
import type { SshdInfo } from '../servers/sshd';

/**
 * ssh2's random padding comes from a pool (electron/core/connectors/sftp/load-ssh2.ts): the bytes must still
 * be the CSPRNG's, each handed out once, only where asked; and the crypto module's export must be the real
 * one again for everything else once ssh2 has loaded.
 */
describe('the random bytes ssh2 pads its packets with', () => {
  it('are handed out once each: 20,000 draws of 16 bytes across several refills are all different', () => {
    let refills = 0;
    const fill = pooledRandomFill((buf, offset, size) => {
      refills++;
      return crypto.randomFillSync(buf, offset, size);
    });
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(fill(Buffer.alloc(16), 0, 16).toString('hex'));
    expect(seen.size).toBe(20_000);
    // 320,000 bytes from a 64 KiB pool: refilled, not one call per draw.
    expect(refills).toBeGreaterThanOrEqual(5);
    expect(refills).toBeLessThan(10);
  });

  it('fill exactly the range asked, and pass large or unusual draws to the real function', () => {
    let real = 0;
    const fill = pooledRandomFill((buf, offset, size) => {
      real++;
      return crypto.randomFillSync(buf, offset, size);
    });
    const packet = Buffer.alloc(64, 0xaa);
    fill(packet, 20, 12);
    expect(packet.subarray(0, 20).every((b) => b === 0xaa)).toBe(true);
    expect(packet.subarray(32).every((b) => b === 0xaa)).toBe(true);
    expect(packet.subarray(20, 32).equals(Buffer.alloc(12, 0xaa))).toBe(false);
    const before = real;
    fill(Buffer.alloc(4096), 0, 4096);
    fill(new Uint8Array(8));
    expect(real - before).toBe(2);
  });
});

describe('ssh2 loaded with the pool, over a real OpenSSH session', () => {
  const trustDir = tempDir('ferry-sftp-padding-');
  afterAll(() => trustDir.cleanup());

  it('moves a file intact while the crypto export is called only to refill the pool, and is the real one afterwards', async () => {
    const s = server<SshdInfo>('sshd');
    if (!s) throw new Error('the sshd test server (OpenSSH) did not start');
    const exported = crypto.randomFillSync;
    let calls = 0;
    // A stand-in for the module's export, so that calls through it can be counted; ssh2 has not loaded yet
    // in this test file's process.
    crypto.randomFillSync = ((...args: Parameters<typeof crypto.randomFillSync>) => {
      calls++;
      return exported(...args);
    }) as typeof crypto.randomFillSync;
    const counting = crypto.randomFillSync;
    try {
      const trust = new FileTrustStore(trustDir.path, null);
      trust.pin({ kind: 'ssh', host: s.host, port: s.port, keyType: 'ssh-ed25519', fingerprint: s.hostKeyFingerprints.ed25519, key: s.hostKeys.ed25519 });
      const c = (await sftpManifest.connect({
        profile: { id: 'padding', name: 'sshd', options: { host: s.host, port: s.port, user: s.user } },
        secret: async (name) => (name === 'password' ? s.password : undefined),
        trust,
        log: { debug() {}, info() {}, warn() {} },
      })) as SftpConnector;
      try {
        expect(crypto.randomFillSync).toBe(counting);
        const data = crypto.randomBytes(8 * 1024 * 1024);
        const path = `${await c.home()}/padding-${process.pid}.bin`;
        const before = calls;
        await c.write(path, Readable.from([data]), { size: data.length });
        expect((await readAll(c, path)).equals(data)).toBe(true);
        await c.remove(path);
        // 8 MiB each way is over 500 packets sent (256 WRITE requests of 32 KiB, 256 READ requests and more),
        // each padded; a pool of 64 KiB serves a few thousand paddings per refill.
        expect(calls - before).toBeLessThan(5);
      } finally {
        await c.close();
      }
    } finally {
      crypto.randomFillSync = exported;
    }
  });
});
