import { describe, expect, it } from 'vitest';
import type { Task, TaskHistoryEntry } from '../../shared/tasks';
import { keepRunningWhenClosed, linuxAutostartEntry, runNotification } from '../../electron/core/scheduler/shell-policy';

/** The decisions the desktop shell's tray, notifications and login item call (the Electron parts cannot run here). */
describe('the shell policy', () => {
  const task = (over: Partial<Task>) => ({ enabled: true, flagged: null, schedule: { type: 'every', seconds: 60 }, ...over }) as Task;
  const entry = (over: Partial<TaskHistoryEntry>) => ({ taskName: 'pull', message: 'Scheduled run of 06:00; done: 1 file, 3 bytes', error: null, state: 'done', ...over }) as TaskHistoryEntry;

  it('stays in the tray only while a task is scheduled, enabled and not flagged', () => {
    expect(keepRunningWhenClosed([task({})])).toBe(true);
    expect(keepRunningWhenClosed([task({ enabled: false }), task({ schedule: null }), task({ flagged: 'Authentication failed' })])).toBe(false);
    expect(keepRunningWhenClosed([])).toBe(false);
  });

  it('notifies every failure, a success only when the task asks', () => {
    expect(runNotification(entry({ state: 'failed', error: { code: 'AUTH_FAILED', message: 'Authentication failed for ana', retryable: false } }), undefined)).toEqual({ title: 'Ferry: pull failed', body: 'Authentication failed for ana' });
    expect(runNotification(entry({}), { notifyOnSuccess: false })).toBeNull();
    expect(runNotification(entry({}), { notifyOnSuccess: true })?.title).toBe('Ferry: pull done');
  });

  it('writes an XDG autostart entry that starts Ferry hidden, quoting a path with spaces', () => {
    const text = linuxAutostartEntry('/opt/My Apps/ferry');
    expect(text).toContain('[Desktop Entry]');
    expect(text).toContain('Exec="/opt/My Apps/ferry" --hidden');
  });
});
