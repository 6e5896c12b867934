import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import pg from 'pg';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { addProfile, artifact, DB_E2E as D, env } from './fixtures';

/**
 * An analyst's database session in Chromium through `ferry serve`, against the real PostgreSQL, sshd and
 * this computer's folder that global-setup prepared: add the database through the profile form, browse its
 * tables and a table's columns, export a table to an SFTP folder by drag and drop (then preview the file),
 * load a CSV into a new table through the mapping dialog, and load a CSV with bad rows, skipping them into a
 * rejects file that the job links to.
 */
test.describe.serial('databases in the app', () => {
  const e = env();
  let page: Page;
  let db: pg.Client;
  let trustedHere = false;

  test.beforeAll(async ({ browser }) => {
    db = new pg.Client(e.pg);
    await db.connect();
    page = await browser.newPage();
    await page.goto(e.url);
    await expect(page.getByTestId('keychain-badge')).toBeVisible();
  });

  test.afterAll(async () => {
    // A failed test may leave a dialog open over the header: start from a fresh page.
    await page.reload();
    if (trustedHere) {
      await page.getByTestId('open-trusted-hosts').click();
      await page.getByTestId(`trusted-${e.sshd.host}:${e.sshd.port}`).getByRole('button', { name: 'Remove' }).click();
      await expect(page.getByTestId(`trusted-${e.sshd.host}:${e.sshd.port}`)).toBeHidden();
    }
    await page.close();
    await db.end();
  });

  const pane = (side: 'left' | 'right') => page.getByTestId(`pane-${side}`);
  const queue = () => page.getByTestId('queue-panel');
  const sql = async (text: string) => (await db.query(text)).rows;

  async function openFolder(side: 'left' | 'right', path: string) {
    await pane(side).getByTestId('path-input').fill(path);
    await pane(side).getByTestId('path-input').press('Enter');
    await expect(pane(side)).toHaveAttribute('data-path', path);
  }

  /**
   * Waits for the mapping dialog's dry run to come back for the current form: ready (Load enabled), or a
   * failed dry run, whose message then fails the test in words (e.g. a core without table.loadPlan).
   */
  async function expectDryRunReady(dialog: Locator) {
    const failed = dialog.locator('[data-testid="load-problem"][data-code]');
    await expect(dialog.and(page.locator('[data-ready="true"]')).or(failed)).toBeVisible({ timeout: 20_000 });
    if (await failed.count()) expect(await failed.textContent(), 'the dry run failed').toBe('');
    await expect(dialog).toHaveAttribute('data-ready', 'true');
  }

  /** The newest job in the queue, once it is done. */
  async function lastJobDone() {
    const job = queue().locator('[data-testid^="job-"][data-state]').first();
    await expect(job).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
    return job;
  }

  test('a PostgreSQL profile through the form: the password is a secret field and never reaches the store', async () => {
    await addProfile(page, 'Warehouse', 'postgres', async (p) => {
      await p.getByTestId('opt-host').fill(e.pg.host);
      await p.getByTestId('opt-port').fill(String(e.pg.port));
      await p.getByTestId('opt-database').fill(e.pg.database);
      await p.getByTestId('opt-user').fill(e.pg.user);
      await expect(p.getByTestId('opt-password')).toHaveAttribute('type', 'password');
      await p.getByTestId('opt-password').fill(e.pg.password);
    });
    const store = join(e.home, 'ferry.db');
    for (const f of [store, `${store}-wal`]) if (existsSync(f)) expect(readFileSync(f).includes(Buffer.from(e.pg.password))).toBe(false);
  });

  test('the pane shows schemas, then tables with their row estimate; a table shows its columns', async () => {
    await pane('right').getByTestId('endpoint-select').selectOption({ label: 'Warehouse (postgres)' });
    // It opens at the default schema; one up are the schemas.
    await expect(pane('right')).toHaveAttribute('data-path', '/public');
    await pane('right').getByTestId('go-up').click();
    await expect(pane('right').getByTestId(`row-${D.schema}`)).toBeVisible();
    await expect(pane('right').getByTestId(`row-${D.schema}`)).toHaveAttribute('data-type', 'dir');
    await pane('right').getByTestId(`row-${D.schema}`).dblclick();
    const orders = pane('right').getByTestId(`row-${D.orders}`);
    await expect(orders.getByTestId('row-estimate')).toHaveText(`~${D.ordersRows} rows`);
    await expect(orders).toContainText('Table');
    await expect(pane('right').getByTestId('sort-modified')).toHaveText('Rows');

    await orders.click({ button: 'right' });
    // Toward this computer's folder, copying a table is an export; nothing in a database is deleted from a pane.
    await expect(page.getByTestId('menu-export')).toHaveText(/Export to other pane/);
    await expect(page.getByTestId('menu-copy-to-other')).toHaveCount(0);
    await expect(page.getByTestId('menu-delete')).toHaveCount(0);
    await expect(page.getByTestId('menu-new-folder')).toHaveCount(0);
    await page.getByTestId('menu-columns').click();
    const columns = page.getByTestId('table-columns');
    await expect(columns.getByTestId('table-columns-summary')).toHaveText(`Table · 4 columns · ~${D.ordersRows} rows`);
    await expect(columns.getByTestId('table-column-id')).toHaveAttribute('data-key', 'true');
    await expect(columns.getByTestId('table-column-id').getByTestId('table-column-dbtype')).toHaveText('bigint');
    await expect(columns.getByTestId('table-column-customer')).toHaveAttribute('data-nullable', 'false');
    await expect(columns.getByTestId('table-column-amount').getByTestId('table-column-dbtype')).toHaveText('numeric(10,2)');
    await expect(columns.getByTestId('table-column-ordered')).toHaveAttribute('data-nullable', 'true');
    await page.screenshot({ path: artifact('db-table-columns.png') });
    await page.keyboard.press('Escape');
    await expect(columns).toBeHidden();
  });

  test('dragging a table onto an SFTP folder exports it as Parquet; the file previews with every row', async () => {
    await addProfile(page, 'Drop SFTP', 'sftp', async (p) => {
      await p.getByTestId('opt-host').fill(e.sshd.host);
      await p.getByTestId('opt-port').fill(String(e.sshd.port));
      await p.getByTestId('opt-user').fill(e.sshd.user);
      await p.getByTestId('opt-password').fill(e.sshd.password);
    });
    await pane('left').getByTestId('endpoint-select').selectOption({ label: 'Drop SFTP (sftp)' });
    const hostKey = page.getByTestId('hostkey-dialog');
    await expect(pane('left').getByTestId(`row-${basename(e.sftpDir)}`).or(hostKey)).toBeVisible();
    if (await hostKey.isVisible()) {
      await page.getByTestId('hostkey-accept').click();
      trustedHere = true;
    }
    await openFolder('left', e.sftpDir);

    await pane('right').getByTestId(`row-${D.orders}`).dragTo(pane('left').getByTestId('file-list-left'));
    const dialog = page.getByTestId('export-dialog');
    await expect(dialog).toBeVisible();
    await expect(dialog.getByTestId('export-name')).toHaveValue(`${D.orders}.parquet`);
    await expect(dialog.getByTestId('export-format')).toHaveValue('parquet');
    await dialog.getByTestId('export-compression').selectOption('zstd');
    await page.screenshot({ path: artifact('db-export-dialog.png') });
    await dialog.getByTestId('export-run').click();
    await expect(dialog).toBeHidden();
    const job = await lastJobDone();
    // The queue row counts the rows (against the table's estimate, when it has one).
    await expect(job.getByTestId('job-rows')).toHaveText(new RegExp(`^${D.ordersRows.toLocaleString('en-US')}( of ~[\\d,]+)? rows$`));
    expect(existsSync(join(e.sftpDir, `${D.orders}.parquet`))).toBe(true);

    const file = pane('left').getByTestId(`row-${D.orders}.parquet`);
    await expect(file).toBeVisible();
    await file.click();
    await page.keyboard.press('Space');
    const panel = page.getByTestId('preview-panel');
    await expect(panel.getByTestId('preview-body')).toHaveAttribute('data-state', 'ready', { timeout: 20_000 });
    await expect(panel.getByTestId('preview-row-count')).toHaveText(`${D.ordersRows} rows · 4 columns`);
    await expect(panel.getByTestId('preview-col-0')).toHaveAttribute('data-type', 'int64');
    await expect(panel.getByTestId('preview-col-2')).toHaveAttribute('data-type', 'decimal(10,2)');
    await expect(panel.getByTestId('preview-cell-0-2')).toHaveText('2.50');
    await page.screenshot({ path: artifact('db-export-preview.png') });
    await page.keyboard.press('Escape');
    await expect(panel).toBeHidden();
  });

  test('a CSV dropped on the schema opens the mapping dialog and loads into a new table', async () => {
    await pane('left').getByTestId('endpoint-select').selectOption({ label: 'This computer' });
    // This computer opens at its home: the local folder global-setup filled.
    await expect(pane('left')).toHaveAttribute('data-path', e.local);
    await pane('left').getByTestId(`row-${D.customersCsv}`).dragTo(pane('right').getByTestId('file-list-right'));
    const dialog = page.getByTestId('load-dialog');
    await expect(dialog).toBeVisible();
    await expect(dialog.getByTestId('load-schema')).toHaveValue(D.schema);
    await expect(dialog.getByTestId('load-table')).toHaveValue('db_load_customers');
    await dialog.getByTestId('load-table').fill('customers');
    const id = dialog.getByTestId('load-col-Customer ID');
    await expect(id.getByTestId('load-col-inferred')).toHaveText('int32');
    await id.getByTestId('load-col-target').fill('customer_id');

    await expectDryRunReady(dialog);
    await expect(dialog.getByTestId('load-target-state')).toHaveText('new table');
    await expect(dialog.getByTestId('load-ddl')).toContainText('CREATE TABLE');
    await expect(dialog.getByTestId('load-ddl')).toContainText('"customer_id"');
    await expect(dialog.getByTestId('load-preview-col-0')).toContainText('customer_id');
    await expect(dialog.getByTestId('load-preview-cell-1-1')).toHaveText('Żabka Sp. z o.o.');
    await page.screenshot({ path: artifact('db-load-mapping.png') });
    await dialog.getByTestId('load-run').click();
    await expect(dialog).toBeHidden();
    await lastJobDone();

    expect(await sql(`SELECT customer_id::text, name, since::text FROM ${D.schema}.customers ORDER BY customer_id`)).toEqual([
      { customer_id: '1', name: 'Acme GmbH', since: '2019-04-01' },
      { customer_id: '2', name: 'Żabka Sp. z o.o.', since: '2021-09-15' },
      { customer_id: '3', name: 'Initech', since: '2020-01-31' },
    ]);
    await pane('right').getByTestId('refresh').click();
    await expect(pane('right').getByTestId('row-customers')).toBeVisible();
  });

  test('bad rows with a limit of errors: the good rows load, the job links to the rejected rows', async () => {
    await pane('left').getByTestId(`row-${D.stockCsv}`).dragTo(pane('right').getByTestId(`row-${D.stock}`));
    const dialog = page.getByTestId('load-dialog');
    await expect(dialog).toBeVisible();
    await expect(dialog.getByTestId('load-table')).toHaveValue(D.stock);
    await expect(dialog.getByTestId('load-mode').getByRole('radio', { name: 'append' })).toBeChecked();
    await expectDryRunReady(dialog);
    await expect(dialog.getByTestId('load-target-state')).toHaveText('existing table');

    await dialog.getByTestId('load-policy-max').check();
    await dialog.getByTestId('load-max-errors').fill('5');
    await expect(dialog.getByTestId('load-rejects-path')).toHaveValue(join(e.local, 'db-load-stock.rejects.csv'));
    await expectDryRunReady(dialog);
    await dialog.getByTestId('load-run').click();
    await expect(dialog).toBeHidden();
    const job = await lastJobDone();

    expect(await sql(`SELECT sku, qty FROM ${D.schema}.${D.stock} ORDER BY sku`)).toEqual([
      { sku: 'A-1', qty: 3 },
      { sku: 'C-3', qty: 12 },
      { sku: 'E-5', qty: 7 },
    ]);
    await expect(job.getByTestId('job-load-rows')).toContainText(/3 rows loaded/);
    await expect(job.getByTestId('job-load-rows')).toContainText(/2 rejected/);
    await job.getByTestId('job-rejects-open').click();
    const panel = page.getByTestId('preview-panel');
    await expect(panel.getByTestId('preview-title')).toHaveText('db-load-stock.rejects.csv');
    await expect(panel.getByTestId('preview-body')).toHaveAttribute('data-state', 'ready', { timeout: 20_000 });
    await expect(panel.getByTestId('preview-grid')).toContainText('three');
    await expect(panel.getByTestId('preview-grid')).toContainText('4.5');
    await page.screenshot({ path: artifact('db-load-rejects.png') });
  });
  test('a load saved as a task from the mapping dialog runs from the Tasks view', async () => {
    // The previous test left the rejects preview open over the panes.
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('preview-panel')).toBeHidden();
    await pane('left').getByTestId(`row-${D.customersCsv}`).dragTo(pane('right').getByTestId('file-list-right'));
    const dialog = page.getByTestId('load-dialog');
    await expect(dialog).toBeVisible();
    await dialog.getByTestId('load-table').fill('customers_task');
    await dialog.getByTestId('load-col-Customer ID').getByTestId('load-col-target').fill('customer_id');
    await expectDryRunReady(dialog);
    await dialog.getByTestId('load-save-task').click();
    const editor = page.getByTestId('task-editor');
    await expect(editor.getByTestId('task-editor-job')).toContainText(`${D.schema}.customers_task (create)`);
    await editor.getByTestId('task-name').fill('Load customers');
    await editor.getByTestId('task-save').click();
    await expect(editor).toBeHidden();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toBeHidden();
    // Saving ran nothing: the table appears only when the task runs.
    expect(await sql(`SELECT to_regclass('${D.schema}.customers_task') AS t`)).toEqual([{ t: null }]);

    await page.getByTestId('tasks-tab').click();
    const row = page.getByTestId('task-Load customers');
    await expect(row.getByTestId('task-schedule')).toContainText('06:00');
    await row.getByTestId('task-run-now').click();
    await expect(row.getByTestId('task-last-result')).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
    expect(await sql(`SELECT customer_id::text AS id, name FROM ${D.schema}.customers_task ORDER BY 1`)).toEqual([
      { id: '1', name: 'Acme GmbH' },
      { id: '2', name: 'Żabka Sp. z o.o.' },
      { id: '3', name: 'Initech' },
    ]);
    await page.screenshot({ path: artifact('db-load-task.png') });
  });
});
