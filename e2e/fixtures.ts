import { expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export interface E2EEnv {
  url: string;
  work: string;
  local: string;
  home: string;
  sftpDir: string;
  /** The preview tests' folder in the SFTP home (its own name per run: parallel runs share the sshd user's home). */
  sftpPreviewDir: string;
  sshd: { host: string; port: number; user: string; password: string; home: string; hostKeyFingerprints: Record<string, string> };
  s3: { endpoint: string; accessKeyId: string; secretAccessKey: string; region: string };
  pg: { host: string; port: number; user: string; password: string; database: string };
}

export const env = (): E2EEnv => JSON.parse(process.env.FERRY_E2E ?? '{}');

/**
 * The table files global-setup leaves for the preview tests (e2e/preview.e2e.ts): CSVs in env().sftpPreviewDir,
 * a two-sheet workbook in the local folder, a Parquet export of PARQUET_ROWS rows in the S3 bucket.
 */
export const PREVIEW_FILES = {
  csv: 'partner-orders.csv',
  /** Generated: header n,label,value and BIG_CSV_ROWS rows (n = 1…): CSV has no row count, so the grid grows. */
  bigCsv: 'partner-big.csv',
  bigCsvRows: 12_345,
  xlsx: 'workbook-2026.xlsx',
  bucket: 'partner-bucket',
  parquetDir: 'exports',
  parquet: 'orders-20k.parquet',
  parquetRows: 20_000,
  /** On this computer: 1,000 rows of 120 int32 columns c0…c119 (value: row * 1000 + column). */
  wide: 'wide-120-columns.parquet',
  wideColumns: 120,
} as const;

/**
 * What global-setup leaves for the database tests (e2e/databases.e2e.ts): in PostgreSQL, schema `schema`
 * with `orders` (ordersRows rows, id bigint primary key, customer text not null, amount numeric(10,2),
 * ordered date) and an empty `stock` (sku text, qty integer); on this computer a customers CSV (3 rows) and
 * a stock CSV of 5 rows of which 2 have a qty an integer column refuses ("three" on line 3, "4.5" on line 5).
 */
export const DB_E2E = {
  schema: 'e2e',
  orders: 'orders',
  ordersRows: 250,
  stock: 'stock',
  customersCsv: 'db-load-customers.csv',
  stockCsv: 'db-load-stock.csv',
} as const;

/** Screenshots a person would look at, kept out of git (e2e/artifacts/). */
export function artifact(name: string): string {
  const dir = join(import.meta.dirname, 'artifacts');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

/** Adds a connection through the profile form (type, name, then the connector's own fields) and closes it. */
export async function addProfile(page: Page, name: string, type: string, fill: (p: Page) => Promise<void>): Promise<void> {
  await page.getByTestId('open-profiles').click();
  await page.getByTestId('new-profile').click();
  await page.getByTestId('profile-type').selectOption(type);
  await page.getByTestId('profile-name').fill(name);
  await fill(page);
  await page.getByTestId('profile-save').click();
  await expect(page.getByTestId('profile-list')).toContainText(name);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('profiles-modal')).toBeHidden();
  // The closed modal gives the focus back to its button once its transition ends: a test that typed into a
  // field before that would see the focus move away (the path field drops what was typed on blur).
  await expect(page.getByTestId('open-profiles')).toBeFocused();
}
