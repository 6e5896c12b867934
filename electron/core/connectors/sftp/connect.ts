import { readFile, stat } from 'node:fs/promises';
import type { AnyAuthMethod, AuthHandlerMiddleware, Client, ConnectConfig, ParsedKey } from 'ssh2';
import type { OptionValues } from '../../../../shared/profiles';
import { FerryError, fromNodeError } from '../../errors';
import { verifyHostKey } from '../../trust/verify';
import type { ConnectContext } from '../types';
import { fromConnectError } from './errors';
import { expandHome } from './home-path';
import { loadSsh2 } from './load-ssh2';
import { SftpSession } from './session';

export const AUTH_METHODS = ['password', 'key', 'agent', 'keyboard-interactive'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

/** A profile's options, checked and with defaults applied. */
export interface SftpSettings {
  host: string;
  port: number;
  user: string;
  auth: AuthMethod;
  keyFile?: string;
  agentSocket?: string;
  connectTimeoutMs: number;
  maxConnections: number;
}

function invalid(option: string, message: string): FerryError {
  return new FerryError('INVALID_INPUT', message, { detail: { option } });
}

export function readSettings(o: OptionValues): SftpSettings {
  const host = typeof o.host === 'string' ? o.host.trim() : '';
  if (!host) throw invalid('host', 'An SFTP profile needs a host.');
  const port = o.port === undefined || o.port === '' ? 22 : Number(o.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalid('port', `The port must be a number from 1 to 65535 (got "${o.port}").`);
  const user = typeof o.user === 'string' ? o.user.trim() : '';
  if (!user) throw invalid('user', `An SFTP profile needs a user name for ${host}.`);
  const keyFile = typeof o.keyFile === 'string' && o.keyFile.trim() ? expandHome(o.keyFile.trim()) : undefined;
  const auth = (o.auth ?? (keyFile ? 'key' : 'password')) as AuthMethod;
  if (!AUTH_METHODS.includes(auth)) throw invalid('auth', `Unknown authentication "${String(o.auth)}" (use ${AUTH_METHODS.join(', ')}).`);
  if (auth === 'key' && !keyFile) throw invalid('keyFile', 'Key authentication needs a private key file.');
  const timeout = o.connectTimeoutSec === undefined || o.connectTimeoutSec === '' ? 15 : Number(o.connectTimeoutSec);
  if (!(timeout > 0)) throw invalid('connectTimeoutSec', 'The connect timeout must be a positive number of seconds.');
  const max = o.maxConnections === undefined || o.maxConnections === '' ? 4 : Number(o.maxConnections);
  if (!Number.isInteger(max) || max < 1) throw invalid('maxConnections', 'Max connections must be a whole number of at least 1.');
  const agentSocket = typeof o.agentSocket === 'string' && o.agentSocket.trim() ? expandHome(o.agentSocket.trim()) : undefined;
  return { host, port, user, auth, keyFile, agentSocket, connectTimeoutMs: timeout * 1000, maxConnections: max };
}

/** The key type an SSH key blob names in its first string ("ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256"). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const len = blob.readUInt32BE(0);
  if (len === 0 || len > 64 || 4 + len > blob.length) return 'unknown';
  return blob.toString('latin1', 4, 4 + len);
}

async function secretOrThrow(ctx: ConnectContext, name: string, what: string): Promise<string> {
  const value = await ctx.secret(name);
  if (value === undefined) {
    throw new FerryError('SECRET_REQUIRED', `${what} is needed for ${ctx.profile.name}.`, { detail: { profileId: ctx.profile.id, name } });
  }
  return value;
}

/** Reads and decrypts the private key; asks for the passphrase only when the key is encrypted. */
async function loadKey(ctx: ConnectContext, file: string): Promise<ParsedKey> {
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw invalid('keyFile', `The key file ${file} does not exist.`);
    throw fromNodeError(e, { path: file });
  }
  const { utils } = loadSsh2();
  let parsed = utils.parseKey(data);
  if (parsed instanceof Error && /no passphrase given/i.test(parsed.message)) {
    const passphrase = await secretOrThrow(ctx, 'passphrase', `The passphrase of the key file ${file}`);
    parsed = utils.parseKey(data, passphrase);
    if (parsed instanceof Error) {
      throw new FerryError('AUTH_FAILED', `Could not decrypt key file ${file}: wrong passphrase.`, { detail: { keyFile: file } });
    }
  }
  if (parsed instanceof Error) throw invalid('keyFile', `${file} is not a private key Ferry can read (${parsed.message}).`);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key.isPrivateKey()) throw invalid('keyFile', `${file} is a public key; choose the private key file (without .pub).`);
  return key;
}

/** Answers every keyboard-interactive prompt with the password: what servers ask with it (PAM's "Password:"). */
function passwordMethod(type: 'password' | 'keyboard-interactive', username: string, password: string): AnyAuthMethod {
  if (type === 'password') return { type, username, password };
  return { type, username, prompt: (_n, _i, _l, prompts, finish) => finish(prompts.map(() => password)) };
}

/** The authentication attempt a profile makes, built only after the host key was verified. */
async function authMethod(ctx: ConnectContext, s: SftpSettings): Promise<{ method: AnyAuthMethod; password?: string }> {
  const username = s.user;
  switch (s.auth) {
    case 'password':
    case 'keyboard-interactive': {
      const password = await secretOrThrow(ctx, 'password', 'The password');
      return { method: passwordMethod(s.auth, username, password), password };
    }
    case 'key':
      return { method: { type: 'publickey', username, key: await loadKey(ctx, s.keyFile!) } };
    case 'agent': {
      const socket = s.agentSocket ?? process.env.SSH_AUTH_SOCK;
      if (!socket) throw new FerryError('AUTH_FAILED', 'No SSH agent: SSH_AUTH_SOCK is not set and the profile names no agent socket.');
      try {
        await stat(socket);
      } catch {
        throw new FerryError('AUTH_FAILED', `The SSH agent socket ${socket} does not exist (is the agent running?).`, { detail: { agentSocket: socket } });
      }
      return { method: { type: 'agent', username, agent: socket } };
    }
  }
}

/**
 * Servers take a password either as "password" or as "keyboard-interactive" (PAM), and users rarely know
 * which: when the server does not offer the chosen one but offers the other, the same password goes there.
 */
function passwordAlternative(s: SftpSettings, methodsLeft: string[] | null, tried: string[]): 'password' | 'keyboard-interactive' | undefined {
  if (s.auth !== 'password' && s.auth !== 'keyboard-interactive') return undefined;
  const other = s.auth === 'password' ? 'keyboard-interactive' : 'password';
  if (!methodsLeft || methodsLeft.includes(s.auth) || !methodsLeft.includes(other) || tried.includes(other)) return undefined;
  return other;
}

/** What the server said no to, in plain words. */
function authFailure(s: SftpSettings, methodsLeft: string[] | null, partial: boolean): FerryError {
  const who = `${s.user}@${s.host}:${s.port}`;
  const wire = s.auth === 'key' || s.auth === 'agent' ? 'publickey' : s.auth;
  let why: string;
  if (partial) why = `the server accepted it but also requires ${methodsLeft?.join(' or ')} (Ferry uses one method per profile)`;
  else if (methodsLeft && !methodsLeft.includes(wire)) why = `the server does not accept ${wire} authentication (it offers: ${methodsLeft.join(', ') || 'nothing'})`;
  else if (s.auth === 'key') why = `the server did not accept the key in ${s.keyFile}`;
  else if (s.auth === 'agent') why = 'the server accepted none of the SSH agent\'s keys';
  else why = 'wrong user name or password';
  return new FerryError('AUTH_FAILED', `Authentication failed for ${who}: ${why}.`, { detail: { host: s.host, port: s.port, user: s.user, auth: s.auth } });
}

/** Opens the SSH connection (connectSsh) and its SFTP channel. */
export function openSession(ctx: ConnectContext, s: SftpSettings): Promise<SftpSession> {
  return connectSsh(ctx, s, (client, done) => {
    client.sftp((err, sftp) => {
      if (err) return done(new FerryError('UNSUPPORTED', `${s.host}:${s.port} refused the SFTP subsystem: ${err.message}`, { detail: { host: s.host, port: s.port }, cause: err }));
      done(null, new SftpSession(client, sftp, { host: s.host, port: s.port }));
    });
  });
}

/**
 * Opens an SSH connection and, once logged in, whatever `afterLogin` makes of it (an SFTP channel; a database's
 * tunnel makes nothing and keeps the client). The host key is checked in ssh2's hostVerifier, which runs
 * during key exchange, before authentication: no credential (nor even a prompt for one) reaches an unverified
 * host. Secrets are fetched after that, and the connect timer pauses while they are (a CLI prompt may wait).
 */
export function connectSsh<T>(
  ctx: ConnectContext,
  s: SftpSettings,
  afterLogin: (client: Client, done: (err: FerryError | null, value?: T) => void) => void,
): Promise<T> {
  const where = { host: s.host, port: s.port };
  const client = new (loadSsh2().Client)();
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let hostKeyVerdict: FerryError | undefined;
    let authError: FerryError | undefined;
    let timer: NodeJS.Timeout | undefined;

    const fail = (e: FerryError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      detach();
      client.on('error', () => {}); // late socket errors of a connection being torn down
      client.destroy();
      reject(e);
    };
    const armTimer = () => {
      clearTimeout(timer);
      timer = setTimeout(() => fail(new FerryError('TIMEOUT', `Timed out connecting to ${s.host}:${s.port} (after ${s.connectTimeoutMs / 1000} s).`, { detail: where })), s.connectTimeoutMs);
    };
    const onAbort = () => fail(new FerryError('CANCELLED', 'Cancelled'));

    const tried: string[] = [];
    let password: string | undefined;
    const authHandler: AuthHandlerMiddleware = (methodsLeft, partialSuccess, next) => {
      if (tried.length > 0) {
        const alt = partialSuccess ? undefined : passwordAlternative(s, methodsLeft, tried);
        if (alt && password !== undefined) {
          tried.push(alt);
          ctx.log.debug('sftp: the server takes the password by another method', { method: alt });
          return next(passwordMethod(alt, s.user, password));
        }
        // The server refused what this profile uses: stop here with a precise reason.
        authError = authFailure(s, methodsLeft, partialSuccess);
        (next as unknown as (a: false) => void)(false);
        return;
      }
      tried.push(s.auth);
      clearTimeout(timer); // fetching a secret may prompt the user
      authMethod(ctx, s).then(
        (m) => {
          if (settled) return;
          password = m.password;
          armTimer();
          next(m.method);
        },
        (e) => fail(e instanceof FerryError ? e : fromNodeError(e)),
      );
    };

    const config: ConnectConfig = {
      host: s.host,
      port: s.port,
      username: s.user,
      readyTimeout: 0, // our own timer, which pauses while a secret is fetched
      keepaliveInterval: 15_000,
      keepaliveCountMax: 4,
      // aes128-gcm first: about 1.6x faster than chacha20-poly1305 here (shared/notes/verified.md).
      algorithms: { cipher: { remove: ['aes128-gcm@openssh.com'], prepend: ['aes128-gcm@openssh.com'] } } as unknown as ConnectConfig['algorithms'],
      hostVerifier: (key: Buffer) => {
        try {
          verifyHostKey(ctx, 'ssh', s.host, s.port, keyTypeOf(key), key);
          ctx.log.debug('sftp host key verified', { host: s.host, port: s.port });
          return true;
        } catch (e) {
          hostKeyVerdict = e instanceof FerryError ? e : new FerryError('INTERNAL', `Could not check the host key of ${s.host}:${s.port}: ${String(e)}`, { cause: e });
          return false;
        }
      },
      authHandler,
    };

    const onError = (e: Error) => fail(hostKeyVerdict ?? authError ?? fromConnectError(e, where, s.user));
    const onClose = () => fail(hostKeyVerdict ?? authError ?? new FerryError('CONNECTION_LOST', `${s.host}:${s.port} closed the connection before the login finished.`, { detail: where }));
    const onReady = () => {
      afterLogin(client, (err, value) => {
        if (settled) return;
        if (err) return fail(err);
        settled = true;
        detach();
        resolve(value as T);
      });
    };
    function detach() {
      clearTimeout(timer);
      ctx.signal?.removeEventListener('abort', onAbort);
      client.off('error', onError).off('close', onClose).off('ready', onReady);
    }
    client.on('error', onError).on('close', onClose).on('ready', onReady);
    if (ctx.signal?.aborted) return onAbort();
    ctx.signal?.addEventListener('abort', onAbort, { once: true });

    armTimer();
    try {
      client.connect(config);
    } catch (e) {
      return fail(fromConnectError(e, where, s.user));
    }
    // Nagle's algorithm stalls SFTP's request pipeline: about 4x faster without it (shared/notes/verified.md).
    client.setNoDelay(true);
  });
}
