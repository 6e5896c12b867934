import { app, BrowserWindow, ipcMain, session, shell, type IpcMainInvokeEvent } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { IPC_CALL, IPC_EVENT } from '../../shared/api-names';
import { FerryCore } from '../core/app';
import { dispatch } from '../core/api/dispatch';
import { attachBackground } from './background';
import { RENDERER_CSP } from './csp';

/**
 * The desktop shell, kept thin: one hardened window, one IPC handler that hands calls to the core's
 * dispatcher (validated against the shared contract), events forwarded. Everything else is in the core.
 */
let core: FerryCore;
let win: BrowserWindow | null = null;
let background: ReturnType<typeof attachBackground> | null = null;
const rendererIndex = join(import.meta.dirname, '..', 'renderer', 'index.html');
const rendererUrl = pathToFileURL(rendererIndex).href;

function createWindow(): void {
  win = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'Ferry',
    show: false,
    webPreferences: {
      preload: join(import.meta.dirname, '..', 'preload', 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win?.show());
  // No navigation away from the app and no new windows; http(s) links open in the user's browser.
  win.webContents.on('will-navigate', (e) => e.preventDefault());
  win.webContents.on('will-attach-webview', (e) => e.preventDefault());
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  void win.loadFile(rendererIndex);
  win.on('closed', () => (win = null));
}

/** Only our own window's top frame, showing our own renderer, may call the API. */
function trustedSender(e: IpcMainInvokeEvent): boolean {
  return !!win && e.sender === win.webContents && e.senderFrame?.url.split('#')[0] === rendererUrl && e.senderFrame === e.sender.mainFrame;
}

app.whenReady().then(() => {
  core = new FerryCore({ home: process.env.FERRY_HOME ?? app.getPath('userData'), startQueue: true, runScheduler: true });
  background = attachBackground(core, () => (win ? win.show() : createWindow()));
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
  session.defaultSession.webRequest.onHeadersReceived((details, cb) => {
    cb({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [RENDERER_CSP] } });
  });
  ipcMain.handle(IPC_CALL, (e, method: unknown, input: unknown) => {
    if (!trustedSender(e)) return { ok: false, error: { code: 'PERMISSION_DENIED', message: 'Untrusted sender', retryable: false } };
    return dispatch(core.handlers, String(method), input);
  });
  core.onEvent((event, payload) => win?.webContents.send(IPC_EVENT, event, payload));
  // Started at login (--hidden): the scheduler runs, the window waits to be opened from the tray.
  // Nothing scheduled: there is no reason to stay hidden, so the window opens as usual.
  if (!process.argv.includes('--hidden') || background.shouldQuitOnClose()) createWindow();
  app.on('activate', () => BrowserWindow.getAllWindows().length === 0 && createWindow());
});

app.on('window-all-closed', () => {
  // With scheduled tasks Ferry stays in the tray (the core keeps firing them); otherwise it quits as before.
  if (background && !background.shouldQuitOnClose()) return;
  if (process.platform !== 'darwin') app.quit();
});

app.on('will-quit', (e) => {
  if (!core) return;
  e.preventDefault();
  const c = core;
  core = undefined as unknown as FerryCore;
  void c.close().finally(() => app.exit(0));
});
