import { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { Client, FTPError, type FTPResponse } from 'basic-ftp';
import { connectForPassiveTransfer } from 'basic-ftp/dist/transfer.js';
import { FerryError } from '../../errors';
import type { ConnectContext } from '../types';
import { ftpError } from './errors';
import type { SlabReader } from './slab-reader';
import { guardDataConnections, tlsOptions, verifyServerCertificate } from './tls-trust';

export type TlsMode = 'none' | 'explicit' | 'implicit';

/** A profile's options resolved for connecting (the password is held only in memory, for new pool connections). */
export interface FtpSettings {
  host: string;
  port: number;
  user: string;
  password: string;
  tls: TlsMode;
  timeoutMs: number;
  encoding: 'utf8' | 'latin1';
  maxConnections: number;
}

/** One reply, whether the server agreed or refused (sendIgnoringError's shape). */
export type Reply = Pick<FTPResponse, 'code' | 'message'>;

export const positive = (r: Reply) => r.code >= 200 && r.code < 400;

/** basic-ftp's client plus what Ferry learned at login, hooks on data connections, and a REST+STOR upload. */
export class FtpClient extends Client {
  /** FEAT's answer: command name → parameters. */
  serverFeatures = new Map<string, string>();
  /** The working folder right after login: the user's home (or "/" when chrooted). */
  home = '/';
  /** Whether this server is known to take several commands in one write (see askMany). */
  pipelines = false;
  /** The passive-mode command the connection settled on (after its first transfer). */
  passiveMode: 'EPSV' | 'PASV' | undefined;
  /** The next data connection reads through this (set for one RETR by read-stream.ts, taken by the socket made for it). */
  nextDataReader: SlabReader | null = null;
  private readonly dataHooks: Array<(socket: Socket) => void> = [];
  private onceDataHooks: Array<(socket: Socket) => void> = [];

  constructor(timeoutMs: number) {
    super(timeoutMs);
    // Commands and handshakes are small writes that wait for an answer: Nagle's algorithm only delays them.
    // A download's plain data connection reads through its SlabReader (slab-reader.ts); under TLS the raw
    // socket only carries the handshake's records for tls.connect, so it reads as usual.
    this.ftp._newSocket = () => {
      const reader = this.nextDataReader;
      this.nextDataReader = null;
      if (!reader || this.ftp.socket instanceof TLSSocket) return new Socket().setNoDelay(true);
      return reader.newSocket();
    };
    // basic-ftp formats a stack trace for every command it sends (to report a misuse nobody here makes);
    // measured, that was a tenth of the client's CPU per small file.
    const handle = this.ftp.handle.bind(this.ftp);
    this.ftp.handle = (command, responseHandler) => {
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 0;
      try {
        return handle(command, responseHandler);
      } finally {
        Error.stackTraceLimit = limit;
      }
    };
    // basic-ftp opens each data connection inside prepareTransfer, which it reassigns itself once it found
    // EPSV or PASV to work; an accessor keeps Ferry's hooks around whatever it assigns.
    let inner = this.prepareTransfer;
    Object.defineProperty(this, 'prepareTransfer', {
      configurable: true,
      get: () => async (ftp: Client['ftp']) => {
        const res = await inner(ftp);
        this.passiveMode = res.code === 229 ? 'EPSV' : 'PASV';
        this.runDataHooks();
        return res;
      },
      set: (fn: Client['prepareTransfer']) => {
        inner = fn;
      },
    });
  }

  /** Opens the data connection to `port` on the control connection's host, as an EPSV reply asks. */
  async connectPassive(port: number): Promise<void> {
    const host = this.ftp.socket.remoteAddress;
    if (!host) throw new Error('The control connection is closed; no data connection can be opened.');
    await connectForPassiveTransfer(host, port, this.ftp);
    this.runDataHooks();
  }

  private runDataHooks(): void {
    const socket = this.ftp.dataSocket;
    if (!socket) return;
    const once = this.onceDataHooks;
    this.onceDataHooks = [];
    for (const hook of [...this.dataHooks, ...once]) hook(socket);
  }

  /** Runs `hook` on every data connection right after it is opened (before its TLS handshake ends). */
  onDataSocket(hook: (socket: Socket) => void): void {
    this.dataHooks.push(hook);
  }

  /**
   * Resolves once the next data connection is fully set up on the server's side too, or closed.
   * vsftpd fails an upload with "decode error" when the client's TLS close comes right after the handshake
   * (an empty file): measured, it must come after the server's TLS 1.3 session tickets (the client's
   * 'session' event), or some 20 ms after a TLS 1.2 handshake.
   */
  nextDataSettled(): Promise<void> {
    return new Promise((resolve) => {
      this.onceDataHooks.push((socket) => {
        const soon = (ms: number) => setTimeout(resolve, ms);
        socket.once('close', () => soon(0));
        if (!(socket instanceof TLSSocket)) return void soon(0);
        socket.once('secureConnect', () => {
          if (socket.getProtocol() !== 'TLSv1.3') return void soon(20);
          const fallback = soon(200);
          socket.once('session', () => {
            clearTimeout(fallback);
            soon(0);
          });
        });
      });
    });
  }

  /** MLSD/MLST (RFC 3659): machine-readable listings with exact times. vsftpd has neither. */
  get hasMLSD(): boolean {
    return this.serverFeatures.has('MLST');
  }

  /** A command whose refusal is an answer, not an exception (network errors still throw). */
  ask(command: string): Promise<Reply> {
    return this.sendIgnoringError(command);
  }

  /**
   * Several commands, one reply each, in order. On a server known to read its commands one line at a time
   * (`pipelines`), they go out in one write and cost one round trip instead of one each: on a busy machine
   * a round trip to the server is the main cost of a small file. Elsewhere they are sent one by one, as
   * some servers and firewalls drop commands that arrive together (lftp keeps its sync-mode on by default
   * for the same reason).
   */
  async askMany(commands: string[]): Promise<Reply[]> {
    if (!this.pipelines || commands.length < 2) {
      const replies: Reply[] = [];
      for (const command of commands) replies.push(await this.ask(command));
      return replies;
    }
    // basic-ftp refuses such a command in send(); checked first so that nothing goes out half-sent.
    if (commands.some((c) => /[\r\n\0]/.test(c))) throw new Error('Invalid command: Contains control characters.');
    const replies: Reply[] = [];
    const task = this.ftp.handle(undefined, (res, t) => {
      if (res instanceof Error && !(res instanceof FTPError)) return t.reject(res);
      if (res.code < 200) return; // a preliminary reply; the final one follows
      replies.push({ code: res.code, message: res.message });
      if (replies.length === commands.length) t.resolve({ code: res.code, message: res.message });
    });
    this.sendTogether(commands);
    await task;
    return replies;
  }

  /** Commands in one socket write: each write wakes the server on its own, which costs more than the bytes. */
  sendTogether(commands: string[]): void {
    if (commands.some((c) => /[\r\n\0]/.test(c))) throw new Error('Invalid command: Contains control characters.');
    for (const command of commands) this.ftp.log(`> ${command}`);
    this.ftp.socket.write(commands.map((c) => `${c}\r\n`).join(''), this.ftp.encoding);
  }

  /**
   * basic-ftp's useDefaultSettings, reusing the FEAT answer and insisting on PROT P so data is encrypted too.
   * Once per connection: every transfer after it relies on TYPE I (binary) staying set. STRU F is every
   * server's default and OPTS UTF8 went out before login, so neither is repeated.
   */
  async applySettings(): Promise<void> {
    this.serverFeatures = await this.features();
    this.availableListCommands = this.hasMLSD ? ['MLSD', 'LIST -a', 'LIST'] : ['LIST -a', 'LIST'];
    await this.send('TYPE I');
    if (this.hasMLSD) await this.sendIgnoringError('OPTS MLST type;size;modify;unique;unix.mode;');
    if (this.ftp.hasTLS) {
      await this.send('PBSZ 0');
      await this.send('PROT P');
    }
  }
}

/**
 * Greetings of servers that read one command line at a time from a buffered control connection, so several
 * commands sent together are answered in order (checked here against vsftpd; ProFTPD and Pure-FTPd work
 * the same way). A customised greeting simply means one command per round trip.
 */
const PIPELINING_SERVERS = /\(vsFTPd [\d.]+\)|ProFTPD|Pure-FTPd/;

/**
 * Opens one logged-in connection: TCP (or implicit TLS), AUTH TLS for explicit, then the certificate check,
 * and only then USER/PASS, so no credential ever goes to a server that was not verified.
 */
export async function openClient(
  s: FtpSettings,
  ctx: Pick<ConnectContext, 'trust' | 'acceptFingerprint'>,
  signal?: AbortSignal,
): Promise<FtpClient> {
  const client = new FtpClient(s.timeoutMs);
  client.ftp.encoding = s.encoding;
  let action = 'connect to';
  const onAbort = () => client.close();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    signal?.throwIfAborted();
    const tls = tlsOptions(s.host);
    let welcome: FTPResponse;
    if (s.tls === 'implicit') {
      welcome = await client.connectImplicitTLS(s.host, s.port, tls);
      client.ftp.socket.setNoDelay(true);
    } else welcome = await client.connect(s.host, s.port);
    client.pipelines = PIPELINING_SERVERS.test(welcome.message);
    if (s.tls === 'explicit') {
      action = 'start TLS (AUTH TLS) with';
      await client.useTLS(tls);
    }
    if (s.tls !== 'none') {
      action = 'verify the TLS certificate of';
      guardDataConnections(client, verifyServerCertificate(client.ftp.socket, ctx, s.host, s.port));
    }
    action = `log in as "${s.user}" on`;
    // Before login, so a non-ASCII user name or password arrives as UTF-8 (servers may refuse it here).
    const early = s.encoding === 'utf8' ? await client.ask('OPTS UTF8 ON') : undefined;
    await client.login(s.user, s.password);
    // Servers that take no commands before login get it now.
    if (early && !positive(early)) await client.ask('OPTS UTF8 ON');
    action = 'set up the session with';
    await client.applySettings();
    client.home = await client.pwd();
    return client;
  } catch (e) {
    client.close();
    if (signal?.aborted) throw new FerryError('CANCELLED', `Connecting to ${s.host}:${s.port} was cancelled`);
    if (s.tls === 'explicit' && action.startsWith('start TLS') && e instanceof FTPError) {
      throw new FerryError('TLS_ERROR', `${s.host}:${s.port} does not offer explicit TLS (AUTH TLS answered: ${e.message})`, {
        detail: { host: s.host, port: s.port, reply: e.code },
        cause: e,
      });
    }
    throw ftpError(e, { host: s.host, port: s.port, action, connecting: true });
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
