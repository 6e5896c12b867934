import { basename } from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { artifact, env, PREVIEW_FILES as F, addProfile as addProfileWith } from './fixtures';

/**
 * Looking at partner files without downloading them, in Chromium through `ferry serve` against the real
 * sshd and S3 server: a CSV on SFTP (Space on the file), a two-sheet workbook on this computer (the context
 * menu, switching sheets) and a 20,000-row Parquet export in S3 (types from the footer, rows fetched page by
 * page as the grid scrolls to the end). The files are written by global-setup.ts.
 */
test.describe.serial('table previews', () => {
  const e = env();
  let page: Page;
  let trustedHere = false;

  test.beforeAll(async ({ browser }) => {
    page = await browser.newPage();
    await page.goto(e.url);
    await expect(page.getByTestId('keychain-badge')).toBeVisible();
  });

  test.afterAll(async () => {
    if (await panel().isVisible()) await closePanel();
    // Leave the host key as we found it, so a test that expects to be asked about it still is.
    if (trustedHere) {
      await page.getByTestId('open-trusted-hosts').click();
      await page.getByTestId(`trusted-${e.sshd.host}:${e.sshd.port}`).getByRole('button', { name: 'Remove' }).click();
      await expect(page.getByTestId(`trusted-${e.sshd.host}:${e.sshd.port}`)).toBeHidden();
    }
    await page.close();
  });

  const pane = (side: 'left' | 'right') => page.getByTestId(`pane-${side}`);
  const panel = () => page.getByTestId('preview-panel');
  const col = (i: number) => panel().getByTestId(`preview-col-${i}`);
  const cell = (row: number, c: number) => panel().getByTestId(`preview-cell-${row}-${c}`);

  const addProfile = (name: string, type: string, fill: (p: Page) => Promise<void>) => addProfileWith(page, name, type, fill);

  /** Expects the grid's header to show these columns (name and type, in order). */
  async function expectColumns(cols: [string, string | RegExp][]) {
    for (const [i, [name, type]] of cols.entries()) {
      await expect(col(i).getByTestId('preview-col-name')).toHaveText(name);
      await expect(col(i).getByTestId('preview-col-type')).toHaveText(type);
    }
    await expect(col(cols.length)).toHaveCount(0);
  }

  async function closePanel() {
    await page.keyboard.press('Escape');
    await expect(panel()).toBeHidden();
  }

  test('Space on a CSV on SFTP opens the preview: headers with types, values, NULL unlike the empty string', async () => {
    await addProfile('Preview SFTP', 'sftp', async (p) => {
      await p.getByTestId('opt-host').fill(e.sshd.host);
      await p.getByTestId('opt-port').fill(String(e.sshd.port));
      await p.getByTestId('opt-user').fill(e.sshd.user);
      await p.getByTestId('opt-password').fill(e.sshd.password);
    });
    await pane('right').getByTestId('endpoint-select').selectOption({ label: 'Preview SFTP (sftp)' });
    const folder = pane('right').getByTestId(`row-${basename(e.sftpPreviewDir)}`);
    const hostKey = page.getByTestId('hostkey-dialog');
    await expect(folder.or(hostKey)).toBeVisible();
    if (await hostKey.isVisible()) {
      await page.getByTestId('hostkey-accept').click();
      trustedHere = true;
    }
    await folder.dblclick();
    const file = pane('right').getByTestId(`row-${F.csv}`);
    await file.click();
    await page.keyboard.press('Space');

    await expect(panel()).toBeVisible();
    await expect(panel().getByTestId('preview-title')).toHaveText(F.csv);
    const body = panel().getByTestId('preview-body');
    await expect(body).toHaveAttribute('data-state', 'ready', { timeout: 20_000 });
    await expect(body).toHaveAttribute('data-format', 'csv');
    await expectColumns([
      ['sku', 'string'],
      ['code', 'string'], // leading zeros stay text
      ['qty', 'int32'],
      ['price', /^decimal\(\d+,2\)$/],
      ['order_date', 'date'],
      ['shipped', 'boolean'],
      ['note', 'string'],
    ]);
    await expect(cell(0, 0)).toHaveText('A-001');
    await expect(cell(0, 1)).toHaveText('007');
    await expect(cell(0, 2)).toHaveText('3');
    await expect(cell(1, 3)).toHaveText('20.25');
    await expect(cell(0, 4)).toHaveText('2026-11-02');
    await expect(cell(1, 5)).toHaveText('false');
    await expect(cell(0, 6)).toHaveText('first order');
    // Numbers are right-aligned, text is not.
    await expect(cell(0, 2)).toHaveCSS('text-align', 'right');
    await expect(cell(0, 0)).not.toHaveCSS('text-align', 'right');
    // An unquoted empty field is NULL, a quoted "" is the empty string: shown differently.
    await expect(cell(1, 6)).toHaveAttribute('data-null', 'true');
    await expect(cell(1, 6)).toHaveText('NULL');
    await expect(cell(2, 6)).toHaveAttribute('data-empty', 'true');
    await expect(cell(2, 6)).toHaveText('');
    await expect(cell(2, 6)).not.toHaveAttribute('data-null');
    // The short last row: NULLs where it has no fields, and a warning with its line number.
    await expect(cell(3, 0)).toHaveText('D-004');
    await expect(cell(3, 3)).toHaveAttribute('data-null', 'true');
    await expect(panel().getByTestId('preview-row-count')).toHaveText(/^4 rows · 7 columns$/);
    await expect(panel().getByTestId('preview-bytes')).toHaveText(/^read (all )?\d+ B/);

    // The detected dialect, and overriding it: without a header the names become the first row.
    await expect(panel().getByTestId('preview-delimiter')).toHaveValue(',');
    await expect(panel().getByTestId('preview-encoding')).toHaveValue('utf-8');
    const header = panel().getByTestId('preview-header-toggle');
    await expect(header).toBeChecked();
    await header.uncheck({ force: true });
    await expect(body).toHaveAttribute('data-state', 'ready');
    await expect(cell(0, 0)).toHaveText('sku');
    await expect(cell(1, 0)).toHaveText('A-001');
    await expect(panel().getByTestId('preview-row-count')).toHaveText(/^5 rows/);
    // A wrong delimiter reads each line as one column.
    await panel().getByTestId('preview-delimiter').selectOption(';');
    await expect(body).toHaveAttribute('data-state', 'ready');
    await expect(col(0)).toBeVisible();
    await expect(col(1)).toHaveCount(0);
    await panel().getByTestId('preview-dialect-reset').click();
    await expect(col(6).getByTestId('preview-col-name')).toHaveText('note');
    await expect(header).toBeChecked();

    // The warnings tab lists the short row with its line (the header is line 1).
    await expect(panel().getByTestId('preview-warning-count')).toHaveText('1');
    await panel().getByTestId('preview-tab-warnings').click();
    await expect(panel().getByTestId('preview-warning')).toHaveAttribute('data-line', '5');
    await page.screenshot({ path: artifact('preview-csv-warnings.png'), animations: 'disabled' });

    // The schema view: type, NULLs and examples per column.
    await panel().getByTestId('preview-tab-schema').click();
    const note = panel().getByTestId('preview-schema-row-note');
    await expect(note.getByTestId('preview-schema-type')).toHaveText('string');
    await expect(note.getByTestId('preview-schema-nulls')).toHaveText('2');
    await expect(panel().getByTestId('preview-schema-row-qty').getByTestId('preview-schema-examples')).toContainText('12');
    await page.screenshot({ path: artifact('preview-csv-schema.png'), animations: 'disabled' });
    await panel().getByTestId('preview-tab-data').click();
    await page.screenshot({ path: artifact('preview-csv-sftp.png'), animations: 'disabled' });
    await closePanel();
  });

  test('a CSV of 12,345 rows: the grid grows page by page as it scrolls, until the last row gives the count', async () => {
    await pane('right').getByTestId(`row-${F.bigCsv}`).click();
    await page.keyboard.press('Space');
    const body = panel().getByTestId('preview-body');
    await expect(body).toHaveAttribute('data-state', 'ready', { timeout: 20_000 });
    const count = panel().getByTestId('preview-row-count');
    // CSV has no row count: the first page of 500, and more to come.
    await expect(count).toHaveText(/^500\+ rows so far/);
    await expect(count).not.toHaveAttribute('data-exact');
    const grid = panel().getByTestId('preview-grid');
    await expect(grid).toHaveAttribute('data-rows', '501');
    await expect(cell(499, 0)).toHaveCount(0); // virtualized: far rows are not in the DOM
    // Each scroll to the bottom shows the "loading" row, which fetches the next page, which makes the grid taller.
    for (let pages = 1; (await count.getAttribute('data-exact')) === null; pages++) {
      expect(pages).toBeLessThan(F.bigCsvRows / 500 + 2);
      const before = await grid.getAttribute('data-rows');
      await scrollGrid(grid, 1);
      await expect(grid).not.toHaveAttribute('data-rows', before ?? '');
    }
    await expect(count).toHaveText(/^12,345 rows · 3 columns$/);
    await expect(grid).toHaveAttribute('data-rows', String(F.bigCsvRows));
    await scrollGrid(grid, 1);
    await expect(cell(F.bigCsvRows - 1, 0)).toHaveText(String(F.bigCsvRows));
    await expect(cell(F.bigCsvRows - 1, 2)).toHaveText((F.bigCsvRows / 2).toFixed(1));
    await closePanel();
  });

  test('"Preview" in the context menu opens a two-sheet workbook; switching sheets shows the other sheet', async () => {
    await pane('left').getByTestId('endpoint-select').selectOption({ label: 'This computer' });
    await pane('left').getByTestId('path-input').fill(e.local);
    await pane('left').getByTestId('path-input').press('Enter');
    const file = pane('left').getByTestId(`row-${F.xlsx}`);
    await file.click({ button: 'right' });
    await page.getByTestId('menu-preview').click();

    const body = panel().getByTestId('preview-body');
    await expect(body).toHaveAttribute('data-state', 'ready', { timeout: 20_000 });
    await expect(body).toHaveAttribute('data-format', 'xlsx');
    await expect(panel().getByTestId('preview-sheet-Orders')).toHaveAttribute('data-active', 'true');
    await expect(panel().getByTestId('preview-sheet-Customers')).toBeVisible();
    await expectColumns([
      ['order_id', /^(int32|int64|float64|decimal\(\d+,\d+\))$/],
      ['customer', 'string'],
      ['amount', /^(float64|decimal\(\d+,\d+\))$/],
    ]);
    await expect(cell(0, 0)).toHaveText('1001');
    await expect(cell(1, 1)).toHaveText('Żabka Sp. z o.o.');
    await expect(cell(0, 2)).toHaveText(/^1250\.50?$/);
    await expect(panel().getByTestId('preview-dialect')).toHaveCount(0);

    await panel().getByTestId('preview-sheet-Customers').click();
    await expect(panel().getByTestId('preview-sheet-Customers')).toHaveAttribute('data-active', 'true');
    await expect(col(0).getByTestId('preview-col-name')).toHaveText('customer');
    await expectColumns([
      ['customer', 'string'],
      ['country', 'string'],
      ['since', /^(date|timestamp.*)$/],
    ]);
    await expect(cell(0, 1)).toHaveText('DE');
    await expect(cell(1, 0)).toHaveText('Żabka Sp. z o.o.');
    await expect(cell(1, 2)).toHaveText(/^2021-09-15/);
    await expect(panel().getByTestId('preview-row-count')).toHaveText(/^2 rows · 3 columns$/);

    await panel().getByTestId('preview-sheet-Orders').click();
    await expect(col(0).getByTestId('preview-col-name')).toHaveText('order_id');
    await page.screenshot({ path: artifact('preview-xlsx-local.png'), animations: 'disabled' });
    await closePanel();
  });

  test('a file of 120 columns: columns are virtualized too, and the row numbers stay in view when scrolled right', async () => {
    // The left pane is on this computer, in the local folder, from the workbook test.
    await pane('left').getByTestId(`row-${F.wide}`).click();
    await page.keyboard.press('Space');
    await expect(panel().getByTestId('preview-body')).toHaveAttribute('data-state', 'ready', { timeout: 20_000 });
    await expect(panel().getByTestId('preview-row-count')).toHaveText(`1,000 rows · ${F.wideColumns} columns`);
    const last = F.wideColumns - 1;
    await expect(col(0)).toHaveAttribute('data-name', 'c0');
    await expect(col(last)).toHaveCount(0);
    const grid = panel().getByTestId('preview-grid');
    await grid.evaluate((el) => {
      const e = el as unknown as Scrollable;
      e.scrollLeft = e.scrollWidth;
    });
    await expect(col(last)).toHaveAttribute('data-type', 'int32');
    await expect(cell(2, last)).toHaveText(String(2 * 1000 + last));
    await expect(col(0)).toHaveCount(0);
    const rowNumber = panel().getByTestId('preview-row-2').getByRole('rowheader');
    await expect(rowNumber).toHaveText('3');
    await expect(rowNumber).toBeInViewport();
    await page.screenshot({ path: artifact('preview-wide-scrolled.png'), animations: 'disabled' });
    await closePanel();
  });

  test('a 20,000-row Parquet file in S3: types from the footer, the row count, and rows fetched as the grid scrolls', async () => {
    await addProfile('Preview S3', 's3', async (p) => {
      await p.getByTestId('opt-provider').selectOption('other');
      await p.getByTestId('opt-region').fill(e.s3.region);
      await p.getByTestId('opt-endpoint').fill(e.s3.endpoint);
      await p.getByTestId('opt-accessKeyId').fill(e.s3.accessKeyId);
      await p.getByTestId('opt-secretAccessKey').fill(e.s3.secretAccessKey);
    });
    await pane('left').getByTestId('endpoint-select').selectOption({ label: 'Preview S3 (s3)' });
    await pane('left').getByTestId('path-input').fill(`/${F.bucket}/${F.parquetDir}`);
    await pane('left').getByTestId('path-input').press('Enter');
    await expect(pane('left')).toHaveAttribute('data-path', `/${F.bucket}/${F.parquetDir}`);
    const file = pane('left').getByTestId(`row-${F.parquet}`);
    await file.click();
    await page.keyboard.press('Space');

    const body = panel().getByTestId('preview-body');
    await expect(body).toHaveAttribute('data-state', 'ready', { timeout: 20_000 });
    await expect(body).toHaveAttribute('data-format', 'parquet');
    await expectColumns([
      ['id', 'int64'],
      ['customer', 'string'],
      ['amount', 'decimal(10,2)'],
      ['order_date', 'date'],
      ['shipped', 'boolean'],
      ['note', 'string'],
    ]);
    await expect(cell(0, 0)).toHaveText('1');
    await expect(cell(0, 1)).toHaveText('customer 0');
    await expect(cell(0, 2)).toHaveText('1.25');
    await expect(cell(0, 3)).toHaveText('2026-01-01');
    await expect(cell(0, 4)).toHaveText('true');
    await expect(cell(3, 5)).toHaveAttribute('data-null', 'true');
    await expect(cell(4, 5)).toHaveAttribute('data-empty', 'true');
    await expect(cell(0, 2)).toHaveCSS('text-align', 'right');
    const count = panel().getByTestId('preview-row-count');
    await expect(count).toHaveText(/^20,000 rows · 6 columns$/);
    await expect(count).toHaveAttribute('data-exact', 'true');
    const bytes = panel().getByTestId('preview-bytes');
    await expect(bytes).toHaveText(/^read [\d.]+ [KM]?B of [\d.]+ [KM]?B/);
    const read = Number(await bytes.getAttribute('data-bytes-read'));
    const size = Number(await bytes.getAttribute('data-size'));
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThan(size); // the footer and the first row group, not the whole file
    await expect(panel().getByTestId('preview-ranged-note')).toHaveCount(0);

    // The grid is as tall as the row count; only rows on screen exist; the last page arrives when shown.
    const grid = panel().getByTestId('preview-grid');
    await expect(grid).toHaveAttribute('data-rows', String(F.parquetRows));
    expect(await grid.locator('[data-testid^="preview-row-"]').count()).toBeLessThan(200);
    await scrollGrid(grid, 10_000 / F.parquetRows);
    await expect(cell(10_000, 0)).toHaveText('10001', { timeout: 15_000 });
    await scrollGrid(grid, 1);
    const last = F.parquetRows - 1;
    await expect(cell(last, 0)).toHaveText(String(F.parquetRows), { timeout: 15_000 });
    await expect(cell(last, 2)).toHaveText('25000.00');
    await scrollGrid(grid, 0);
    await expect(cell(0, 1)).toHaveText('customer 0');
    await page.screenshot({ path: artifact('preview-parquet-s3.png'), animations: 'disabled' });
    await page.screenshot({ path: '/tmp/preview.png', animations: 'disabled' });

    await panel().getByTestId('preview-tab-schema').click();
    const amount = panel().getByTestId('preview-schema-row-amount');
    await expect(amount.getByTestId('preview-schema-type')).toHaveText('decimal(10,2)');
    await expect(amount.getByTestId('preview-schema-examples')).toContainText('1.25');
    await expect(panel().getByTestId('preview-schema-row-note').getByTestId('preview-schema-nulls')).not.toHaveText('0');
    await closePanel();
  });

  test('a file that is not what its name says gets an error that says so, not a stack', async () => {
    // The journey's stand-in object: "PAR1-not-really" under a .parquet name.
    await pane('left').getByTestId('row-sales-2026.parquet').click();
    await page.keyboard.press('Space');
    const error = panel().getByTestId('preview-error');
    await expect(error).toBeVisible({ timeout: 20_000 });
    await expect(panel().getByTestId('preview-body')).toHaveAttribute('data-state', 'error');
    await expect(error.getByTestId('preview-error-message')).toContainText('sales-2026.parquet');
    await expect(error).not.toContainText(/\bat .+\.(js|ts):\d+/);
    await page.screenshot({ path: artifact('preview-error.png'), animations: 'disabled' });
    await closePanel();
  });
});

/** Scrolls the grid so that the row at this fraction of the table is at the top (1: the end). */
async function scrollGrid(grid: Locator, fraction: number) {
  await grid.evaluate((el, f) => {
    const e = el as unknown as Scrollable;
    e.scrollTop = f >= 1 ? e.scrollHeight : f * e.scrollHeight;
  }, fraction);
}

/** The scrolling part of an element, typed here because the e2e tsconfig has no DOM library. */
interface Scrollable {
  scrollTop: number;
  scrollLeft: number;
  scrollHeight: number;
  scrollWidth: number;
}
