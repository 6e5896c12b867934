import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { artifact, env } from './fixtures';

/**
 * Saved tasks in Chromium through `ferry serve`: save the sync dialog's job as a task with a preset
 * schedule, see its schedule in words and next runs, run it now, and find the run in its history.
 */
test.describe.serial('tasks', () => {
  const e = env();
  const outbox = join(e.work, 'task-outbox');
  let page: Page;

  test.beforeAll(async ({ browser }) => {
    mkdirSync(outbox, { recursive: true });
    page = await browser.newPage();
    await page.goto(e.url);
    await expect(page.getByTestId('app-title')).toBeVisible();
  });

  const pane = (side: 'left' | 'right') => page.getByTestId(`pane-${side}`);
  /**
   * Toasts sit over the task rows' buttons at the bottom right, and a pointer resting on one keeps it open:
   * close them as a user would before using those buttons.
   */
  const closeToasts = () =>
    expect(async () => {
      // One at a time, each looked up again: a toast may close by itself meanwhile.
      const close = page.getByRole('alert').getByRole('button').first();
      if (await close.count()) await close.click({ timeout: 1000 });
      await expect(page.getByRole('alert')).toHaveCount(0, { timeout: 200 });
    }).toPass({ timeout: 20_000 });
  const go = async (side: 'left' | 'right', path: string) => {
    await pane(side).getByTestId('path-input').fill(path);
    await pane(side).getByTestId('path-input').press('Enter');
    await expect(pane(side)).toHaveAttribute('data-path', path);
  };

  test('saves the sync dialog\'s job as a task with a preset schedule, showing it in words with its next five runs', async () => {
    await go('right', outbox);
    await go('left', join(e.local, 'reports'));
    await pane('left').getByTestId('path-input').click();
    await page.getByTestId('sync-open').click();
    const dialog = page.getByTestId('sync-dialog');
    await expect(dialog.getByTestId('sync-source')).toHaveText(join(e.local, 'reports'));
    await dialog.getByTestId('sync-save-task').click();
    const editor = page.getByTestId('task-editor');
    await expect(editor).toBeVisible();
    await editor.getByTestId('task-name').fill('Reports to outbox');
    await editor.getByTestId('schedule-preset').click();
    await page.getByRole('option', { name: 'Weekdays at…' }).click();
    await editor.getByTestId('schedule-time').fill('07:30');
    await expect(editor.getByTestId('schedule-words')).toContainText('At 07:30, Monday through Friday');
    const runs = editor.getByTestId('schedule-next-run');
    await expect(runs).toHaveCount(5);
    for (const text of await runs.allTextContents()) expect(text).toMatch(/^(Mon|Tue|Wed|Thu|Fri).*07:30$/);
    // A cron typed by hand is described as it is typed; a wrong one says why.
    await editor.getByTestId('schedule-preset').click();
    await page.getByRole('option', { name: 'Cron expression' }).click();
    await editor.getByTestId('schedule-cron').fill('61 * * * *');
    await expect(editor.getByTestId('schedule-error')).toContainText('not a cron schedule');
    await editor.getByTestId('schedule-preset').click();
    await page.getByRole('option', { name: 'Weekdays at…' }).click();
    await editor.getByTestId('schedule-time').fill('07:30');
    await expect(editor.getByTestId('schedule-words')).toContainText('At 07:30, Monday through Friday');
    await page.screenshot({ path: artifact('task-editor.png') });
    await editor.getByTestId('task-save').click();
    await expect(editor).toBeHidden();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toBeHidden();
  });

  test('the Tasks view shows the schedule and next run; Run now syncs, and the run is in its history', async () => {
    await page.getByTestId('tasks-tab').click();
    const row = page.getByTestId('task-Reports to outbox');
    await expect(row.getByTestId('task-schedule')).toContainText('At 07:30, Monday through Friday');
    await expect(row.getByTestId('task-schedule')).toContainText('next');
    await expect(row.getByTestId('task-last-result')).toHaveAttribute('data-state', 'none');
    await row.getByTestId('task-run-now').click();
    await expect(row.getByTestId('task-last-result')).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
    expect(readdirSync(outbox)).toEqual(['summary.csv']);
    await closeToasts();
    await row.getByTestId('task-open-history').click();
    const drawer = page.getByTestId('task-history');
    const entry = drawer.getByTestId('task-history-entry').first();
    await expect(entry).toHaveAttribute('data-state', 'done');
    await expect(entry.getByTestId('task-history-moved')).toContainText('1 file');
    await expect(entry.getByTestId('task-history-message')).toContainText('Run now; done: 1 file');
    await entry.getByTestId('task-history-job').click();
    await expect(drawer.locator('[data-testid^="job-"][data-state="done"]')).toBeVisible();
    await page.screenshot({ path: artifact('task-history.png') });
  });

  test('a failed run shows a toast, a red badge, and its error in the history', async () => {
    // Saved from the CLI on the same store (the UI's Save as task needs an existing folder to sync).
    const bin = join(import.meta.dirname, '..', 'bin', 'ferry.js');
    execFileSync(process.execPath, [bin, 'task', 'add', 'Broken pull', '--', 'copy', join(e.work, 'no-such-file.csv'), outbox], { env: { ...process.env, FERRY_HOME: e.home } });
    await page.keyboard.press('Escape');
    await page.getByTestId('history-tab').click();
    await page.getByTestId('tasks-tab').click();
    const row = page.getByTestId('task-Broken pull');
    await row.getByTestId('task-run-now').click();
    await expect(page.getByText('Task Broken pull failed')).toBeVisible({ timeout: 30_000 });
    await expect(row.getByTestId('task-last-result')).toHaveAttribute('data-state', 'failed');
    await closeToasts();
    await row.getByTestId('task-open-history').click();
    const entry = page.getByTestId('task-history').getByTestId('task-history-entry').first();
    await expect(entry).toHaveAttribute('data-state', 'failed');
    await expect(entry.getByTestId('task-history-message')).toContainText('no-such-file.csv');
  });
});
