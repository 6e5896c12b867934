import { Alert, Badge, Drawer, Group, Loader, NativeSelect, Stack, Tabs, Text, Tooltip } from '@mantine/core';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { TABLE_FORMATS, type TableFormat, type TableReadOptions } from '../../../../shared/table';
import { formatBytes } from '../../components/format';
import { modalTestId } from '../../components/testid';
import { DialectControls, type DialectOverrides } from './DialectControls';
import { describeRowCount, PAGE_SIZE } from './page-cache';
import classes from './Preview.module.css';
import { PreviewError } from './PreviewError';
import { PreviewGrid } from './PreviewGrid';
import { SchemaView } from './SchemaView';
import { mergeWarnings, summarizeColumns, type Dialect } from './table-view';
import { useTablePreview, type PreviewMeta, type PreviewTarget } from './use-table-preview';
import { WarningsList } from './WarningsList';

interface Props {
  target: PreviewTarget | null;
  onClose: () => void;
}

/** The preview drawer: a large panel over the browser showing one table file (Space or "Preview" on a file). */
export function PreviewPanel({ target, onClose }: Props) {
  return (
    <Drawer
      opened={target !== null}
      onClose={onClose}
      position="right"
      size="88%"
      padding="md"
      title={target && <PreviewTitle target={target} />}
      classNames={{ content: classes.drawerContent, body: classes.drawerBody }}
      {...modalTestId('preview-panel', { 'data-path': target?.path, 'data-endpoint': target?.endpoint })}
    >
      {/* A new file starts with no overrides and no remembered dialect. */}
      {target && <PreviewContent key={`${target.endpoint}\n${target.path}`} target={target} />}
    </Drawer>
  );
}

function PreviewTitle({ target }: { target: PreviewTarget }) {
  return (
    <Group gap="xs" wrap="nowrap">
      <Text fw={600} data-testid="preview-title">
        {target.name}
      </Text>
      <Text size="sm" c="dimmed" truncate>
        {target.label} · {target.path}
      </Text>
    </Group>
  );
}

function PreviewContent({ target }: { target: PreviewTarget }) {
  const [overrides, setOverrides] = useState<DialectOverrides>({});
  const [format, setFormat] = useState<TableFormat | undefined>(undefined);
  const [sheet, setSheet] = useState<string | undefined>(undefined);
  const [tab, setTab] = useState<string | null>('data');
  const options = useMemo<TableReadOptions>(() => {
    const o: TableReadOptions = { ...overrides };
    if (format) o.format = format;
    if (sheet !== undefined) o.sheet = sheet;
    for (const k of Object.keys(o) as (keyof TableReadOptions)[]) if (o[k] === undefined) delete o[k];
    return o;
  }, [overrides, format, sheet]);
  const { snapshot, show, retry } = useTablePreview(target, options);
  const { meta, error, cache } = snapshot;

  // While new options are read, and when they fail, the controls keep showing what the last answer said.
  const [lastMeta, setLastMeta] = useState<PreviewMeta | null>(null);
  const [detected, setDetected] = useState<Dialect | null>(null);
  useEffect(() => {
    if (!meta) return;
    setLastMeta(meta);
    if (meta.dialect && Object.keys(overrides).length === 0 && !format) setDetected(meta.dialect);
  }, [meta]);
  const shown = meta ?? lastMeta;

  const onRange = useCallback((first: number, last: number) => show(first, last), [show]);
  const rows = describeRowCount(cache);
  const summary = useMemo(() => (meta ? summarizeColumns(meta.columns, snapshot.stats) : []), [meta?.columns, snapshot.stats]);
  const warnings = useMemo(() => mergeWarnings(snapshot.warnings), [snapshot.warnings]);
  const rowsLoaded = useMemo(() => [...cache.pages.values()].reduce((n, p) => n + p.rows.length, 0), [cache]);
  const failedPages = useMemo(() => new Set(snapshot.pageErrors.keys()), [snapshot.pageErrors]);
  const firstPageError = [...snapshot.pageErrors.entries()].sort((a, b) => a[0] - b[0])[0];
  const state = error ? 'error' : meta ? 'ready' : 'loading';
  const isText = shown?.format === 'csv' || shown?.format === 'tsv';

  return (
    <div className={classes.panel} data-testid="preview-body" data-state={state} data-format={shown?.format}>
      <Stack gap={8} className={classes.bar}>
        <Group gap="sm" wrap="wrap" justify="space-between">
          <Group gap="sm" wrap="wrap">
            {shown && (
              <Badge variant="light" data-testid="preview-format">
                {shown.format}
              </Badge>
            )}
            {meta && (
              <Text size="sm" data-testid="preview-row-count" data-exact={rows.exact || undefined} data-count={rows.count}>
                {rows.exact ? (
                  `${rows.count.toLocaleString()} row${rows.count === 1 ? '' : 's'}`
                ) : (
                  <Tooltip label="This format does not store how many rows it has: more are read as you scroll." withArrow>
                    <span>{rows.count.toLocaleString()}+ rows so far</span>
                  </Tooltip>
                )}
                {' · '}
                {meta.columns.length.toLocaleString()} column{meta.columns.length === 1 ? '' : 's'}
              </Text>
            )}
            {meta && (
              <Tooltip
                label={`${formatBytes(snapshot.bytes.total)} over ${snapshot.bytes.requests} request${snapshot.bytes.requests === 1 ? '' : 's'} of ${PAGE_SIZE} rows`}
                withArrow
              >
                <Text size="sm" c="dimmed" data-testid="preview-bytes" data-bytes-read={snapshot.bytes.first} data-size={meta.size}>
                  {/* Bytes read again (the sniffed head, then the stream from the start) count twice: past the size it is "all". */}
                  {snapshot.bytes.first >= meta.size ? `read all ${formatBytes(meta.size)}` : `read ${formatBytes(snapshot.bytes.first)} of ${formatBytes(meta.size)}`}
                  {snapshot.bytes.requests > 1 ? ` · ${formatBytes(snapshot.bytes.total)} in all (${snapshot.bytes.requests} requests)` : ''}
                </Text>
              </Tooltip>
            )}
            {(state === 'loading' || snapshot.loadingPages.size > 0) && <Loader size="xs" data-testid="preview-loading" />}
          </Group>
          <NativeSelect
            size="xs"
            w={170}
            aria-label="Read as"
            leftSection={<Text size="xs">as</Text>}
            leftSectionWidth={28}
            value={format ?? ''}
            data={[{ value: '', label: shown ? `${shown.format} (detected)` : 'detected format' }, ...TABLE_FORMATS.map((f) => ({ value: f, label: f }))]}
            onChange={(e) => {
              setFormat((e.currentTarget.value || undefined) as TableFormat | undefined);
              setSheet(undefined);
            }}
            data-testid="preview-format-select"
          />
        </Group>
        {meta && !meta.rangedRead && (
          <Alert variant="light" color="yellow" p={6} data-testid="preview-ranged-note">
            <Text size="xs">This server cannot read ranges: the file was streamed from the start, so rows far down take longer.</Text>
          </Alert>
        )}
        {isText && shown?.dialect && <DialectControls dialect={shown.dialect} detected={detected} overrides={overrides} onChange={setOverrides} />}
        {shown?.sheets && shown.sheets.length > 0 && (
          <Tabs
            variant="pills"
            value={sheet ?? shown.sheet ?? shown.sheets[0]}
            onChange={(v) => v !== null && setSheet(v)}
            data-testid="preview-sheets"
          >
            <Tabs.List>
              <Text size="xs" c="dimmed" mr={4} style={{ alignSelf: 'center' }}>
                Sheets
              </Text>
              {shown.sheets.map((s) => (
                <Tabs.Tab key={s} value={s} size="xs" data-testid={`preview-sheet-${s}`}>
                  {s}
                </Tabs.Tab>
              ))}
            </Tabs.List>
          </Tabs>
        )}
      </Stack>

      {error ? (
        <PreviewError error={error} onRetry={() => retry()} />
      ) : !meta ? (
        <Group justify="center" p="xl">
          <Loader size="sm" />
          <Text size="sm" c="dimmed">
            Reading {target.name}…
          </Text>
        </Group>
      ) : (
        <Tabs value={tab} onChange={setTab} className={classes.tabs} keepMounted={false}>
          <Tabs.List>
            <Tabs.Tab value="data" data-testid="preview-tab-data">
              Data
            </Tabs.Tab>
            <Tabs.Tab value="schema" data-testid="preview-tab-schema">
              Schema
            </Tabs.Tab>
            <Tabs.Tab
              value="warnings"
              data-testid="preview-tab-warnings"
              rightSection={
                warnings.length > 0 ? (
                  <Badge size="xs" color="yellow" circle={warnings.length < 10} data-testid="preview-warning-count">
                    {warnings.length}
                  </Badge>
                ) : undefined
              }
            >
              Warnings
            </Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="data" className={classes.tabPanel}>
            {firstPageError && (
              <PreviewError
                testId="preview-page-error"
                error={firstPageError[1]}
                what={`Rows ${(firstPageError[0] * PAGE_SIZE + 1).toLocaleString()}–${((firstPageError[0] + 1) * PAGE_SIZE).toLocaleString()}`}
                onRetry={() => retry(firstPageError[0])}
              />
            )}
            <PreviewGrid columns={meta.columns} cache={cache} loadingPages={snapshot.loadingPages} failedPages={failedPages} onRange={onRange} />
          </Tabs.Panel>
          <Tabs.Panel value="schema" className={classes.tabPanel}>
            <SchemaView columns={summary} rowsLoaded={rowsLoaded} />
          </Tabs.Panel>
          <Tabs.Panel value="warnings" className={classes.tabPanel}>
            <WarningsList warnings={warnings} />
          </Tabs.Panel>
        </Tabs>
      )}
    </div>
  );
}
