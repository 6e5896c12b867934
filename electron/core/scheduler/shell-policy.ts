import type { Task, TaskHistoryEntry } from '../../../shared/tasks';

/**
 * What the desktop shell decides about running in the background, kept here (plain Node, tested) so the
 * Electron parts (tray, login item, powerMonitor, notifications) stay thin calls that cannot be run on CI.
 */

/** Closing the window keeps Ferry in the tray while any task is scheduled to run. */
export function keepRunningWhenClosed(tasks: Task[]): boolean {
  return tasks.some((t) => t.enabled && !t.flagged && t.schedule !== null);
}

/** The desktop notification for an ended run: always when it failed, when it succeeded only if the task asks. */
export function runNotification(entry: TaskHistoryEntry, task: Pick<Task, 'notifyOnSuccess'> | undefined): { title: string; body: string } | null {
  if (entry.state === 'failed') return { title: `Ferry: ${entry.taskName} failed`, body: entry.error?.message ?? entry.message };
  if (entry.state === 'done' && task?.notifyOnSuccess) return { title: `Ferry: ${entry.taskName} done`, body: entry.message };
  return null;
}

/**
 * Linux has no login-item API: an XDG autostart entry (~/.config/autostart/ferry.desktop) starts Ferry hidden
 * at login. `exec` is the app's executable; arguments with spaces are quoted as the spec asks.
 */
export function linuxAutostartEntry(exec: string, args: string[] = ['--hidden']): string {
  const quote = (s: string) => (/[\s"\\`$]/.test(s) ? `"${s.replace(/(["\\`$])/g, '\\$1')}"` : s);
  return ['[Desktop Entry]', 'Type=Application', 'Name=Ferry', 'Comment=Runs scheduled Ferry tasks', `Exec=${[exec, ...args].map(quote).join(' ')}`, 'X-GNOME-Autostart-enabled=true', 'NoDisplay=true', ''].join('\n');
}
