import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { artifact, env, addProfile as addProfileWith } from './fixtures';

/**
 * An analyst's first session, in Chromium through `ferry serve`, against a real OpenSSH sshd and an S3
 * server: add an SFTP connection through the generated form, accept its host key, browse it beside this
 * computer, add an S3 connection and browse a bucket beside the SFTP folder, then drag a file onto the
 * SFTP pane and watch the transfer finish in the queue.
 */
test.describe.serial('first session', () => {
  const e = env();
  let page: Page;

  test.beforeAll(async ({ browser }) => {
    page = await browser.newPage();
    await page.goto(e.url);
    await expect(page.getByTestId('keychain-badge')).toContainText('Secret Service');
  });

  const pane = (side: 'left' | 'right') => page.getByTestId(`pane-${side}`);

  const addProfile = (name: string, type: string, fill: (p: Page) => Promise<void>) => addProfileWith(page, name, type, fill);

  test('adds an SFTP profile through the form; the password never reaches the store', async () => {
    await addProfile('Partner SFTP', 'sftp', async (p) => {
      await p.getByTestId('opt-host').fill(e.sshd.host);
      await p.getByTestId('opt-port').fill(String(e.sshd.port));
      await p.getByTestId('opt-user').fill(e.sshd.user);
      await p.getByTestId('opt-password').fill(e.sshd.password);
    });
    const db = join(e.home, 'ferry.db');
    expect(existsSync(db)).toBe(true);
    for (const f of [db, `${db}-wal`]) if (existsSync(f)) expect(readFileSync(f).includes(Buffer.from(e.sshd.password))).toBe(false);
  });

  test('shows the unknown host key with its SHA256 fingerprint, and browses once it is trusted', async () => {
    await pane('right').getByTestId('endpoint-select').selectOption({ label: 'Partner SFTP (sftp)' });
    const dialog = page.getByTestId('hostkey-dialog');
    await expect(dialog).toBeVisible();
    const shown = (await page.getByTestId('hostkey-fingerprint').textContent())?.trim();
    expect(Object.values(e.sshd.hostKeyFingerprints)).toContain(shown);
    await page.getByTestId('hostkey-accept').click();
    await expect(dialog).toBeHidden();
    await expect(pane('right').getByTestId('row-outgoing-e2e')).toBeVisible();
    await pane('right').getByTestId('row-outgoing-e2e').dblclick();
    await expect(pane('right').getByTestId('row-partner-prices.csv')).toBeVisible();
    await expect(pane('left').getByTestId('row-orders-2026-11.csv')).toBeVisible();
    await page.screenshot({ path: artifact('sftp-and-local.png') });
  });

  test('browses an S3 bucket beside the SFTP folder', async () => {
    await addProfile('Partner S3', 's3', async (p) => {
      await p.getByTestId('opt-provider').selectOption('other');
      await p.getByTestId('opt-region').fill(e.s3.region);
      await p.getByTestId('opt-endpoint').fill(e.s3.endpoint);
      await p.getByTestId('opt-accessKeyId').fill(e.s3.accessKeyId);
      await p.getByTestId('opt-secretAccessKey').fill(e.s3.secretAccessKey);
    });
    await pane('left').getByTestId('endpoint-select').selectOption({ label: 'Partner S3 (s3)' });
    await expect(pane('left').getByTestId('row-partner-bucket')).toBeVisible();
    await pane('left').getByTestId('row-partner-bucket').dblclick();
    await pane('left').getByTestId('row-exports').dblclick();
    await expect(pane('left').getByTestId('row-sales-2026.parquet')).toBeVisible();
    await expect(pane('right').getByTestId('row-partner-prices.csv')).toBeVisible();
    await page.screenshot({ path: artifact('s3-and-sftp.png') });
  });

  test('dragging a local file onto the SFTP pane queues a verified transfer that completes', async () => {
    await pane('left').getByTestId('endpoint-select').selectOption({ label: 'This computer' });
    await pane('left').getByTestId('path-input').fill(e.local);
    await pane('left').getByTestId('path-input').press('Enter');
    const row = pane('left').getByTestId('row-orders-2026-11.csv');
    await expect(row).toBeVisible();
    await row.dragTo(pane('right').getByTestId('file-list-right'));
    const queue = page.getByTestId('queue-panel');
    await expect(queue.getByTestId('job-state').first()).toHaveText(/done/i, { timeout: 30_000 });
    await expect(pane('right').getByTestId('row-orders-2026-11.csv')).toBeVisible();
    expect(readFileSync(join(e.sftpDir, 'orders-2026-11.csv'), 'utf8')).toBe(readFileSync(join(e.local, 'orders-2026-11.csv'), 'utf8'));
    await page.screenshot({ path: artifact('drag-to-sftp-done.png') });
  });
});
