import { app, Menu, Notification, powerMonitor, Tray, nativeImage } from 'electron';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { TaskHistoryEntry } from '../../shared/tasks';
import type { FerryCore } from '../core/app';
import { keepRunningWhenClosed, linuxAutostartEntry, runNotification } from '../core/scheduler/shell-policy';

/**
 * The shell's part in running tasks while the window is closed: thin calls into the core's scheduler and
 * its policy (electron/core/scheduler/shell-policy.ts). Type-checked here; Electron cannot run on CI.
 */
const autostartFile = () => join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'autostart', 'ferry.desktop');

export function startsAtLogin(): boolean {
  return process.platform === 'linux' ? existsSync(autostartFile()) : app.getLoginItemSettings().openAtLogin;
}

export function setStartAtLogin(on: boolean): void {
  if (process.platform !== 'linux') return app.setLoginItemSettings({ openAtLogin: on, args: ['--hidden'] });
  const file = autostartFile();
  if (!on) return rmSync(file, { force: true });
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, linuxAutostartEntry(process.execPath));
}

let tray: Tray | null = null;

/** Wires the scheduler to the desktop: resume from sleep, notifications, and the tray when the window closes. */
export function attachBackground(core: FerryCore, openWindow: () => void): { shouldQuitOnClose: () => boolean } {
  // powerMonitor's resume is missing in some packaged Linux builds; the core also notices the wall-clock jump.
  powerMonitor.on('resume', () => core.scheduler.wake());
  core.onEvent((event, payload) => {
    if (event !== 'tasks.runEnded') return;
    const entry = payload as TaskHistoryEntry;
    let task;
    try {
      task = core.tasks.get(entry.taskId);
    } catch {
      task = undefined;
    }
    const n = runNotification(entry, task);
    if (n && Notification.isSupported()) new Notification({ title: n.title, body: n.body }).show();
  });
  const showTray = () => {
    if (tray) return;
    tray = new Tray(nativeImage.createEmpty());
    tray.setToolTip('Ferry: scheduled tasks are running');
    const menu = () =>
      Menu.buildFromTemplate([
        { label: 'Open Ferry', click: openWindow },
        { label: 'Start at login', type: 'checkbox', checked: startsAtLogin(), click: (item) => setStartAtLogin(item.checked) },
        { type: 'separator' },
        { label: 'Quit (scheduled tasks stop)', click: () => app.quit() },
      ]);
    tray.setContextMenu(menu());
    tray.on('click', openWindow);
  };
  return {
    shouldQuitOnClose: () => {
      if (!keepRunningWhenClosed(core.tasks.list())) return true;
      showTray();
      return false;
    },
  };
}
