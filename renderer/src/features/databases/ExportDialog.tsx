import { Alert, Button, Checkbox, Group, List, Modal, NativeSelect, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';
import { TABLE_FORMATS, type TableFormat } from '../../../../shared/table';
import { modalTestId } from '../../components/testid';
import { TaskEditor } from '../tasks/TaskEditor';
import { useTransfers } from '../transfers/use-transfers';
import { COMPRESSIONS, exportProblems, exportRequest, nameForFormat, newExportForm, type Compression, type ExportTarget } from './export-model';
import { dottedName } from './table-address';

export interface ExportRequest extends ExportTarget {
  sourceLabel: string;
  destinationLabel: string;
}

/** A table (or a query on its database) to a file in a folder of any endpoint: a convert job in the queue. */
export function ExportDialog({ request, onClose }: { request: ExportRequest; onClose: () => void }) {
  const transfers = useTransfers();
  const [form, setForm] = useState(() => newExportForm(request.source.table));
  const [busy, setBusy] = useState(false);
  const [savingTask, setSavingTask] = useState(false);
  const problems = exportProblems(form);
  const set = (patch: Partial<typeof form>) => setForm((f) => ({ ...f, ...patch }));

  const run = async () => {
    setBusy(true);
    const queued = await transfers.start(exportRequest(request, form));
    setBusy(false);
    if (queued) onClose();
  };

  return (
    <Modal opened onClose={onClose} title={`Export ${dottedName(request.source.table)}`} size="lg" {...modalTestId('export-dialog')}>
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          From {request.sourceLabel} to {request.destinationLabel} · {request.destination.folder}
        </Text>
        <TextInput label="File name" value={form.name} onChange={(e) => set({ name: e.currentTarget.value })} data-testid="export-name" />
        <Group grow>
          <NativeSelect
            label="Format"
            value={form.format}
            data={[...TABLE_FORMATS]}
            onChange={(e) => {
              const format = e.currentTarget.value as TableFormat;
              set({ format, name: nameForFormat(form.name, format) });
            }}
            data-testid="export-format"
          />
          <NativeSelect
            label="Compression"
            value={form.compression}
            data={[...COMPRESSIONS]}
            disabled={form.format !== 'parquet'}
            description={form.format !== 'parquet' ? 'Parquet only' : undefined}
            onChange={(e) => set({ compression: e.currentTarget.value as Compression })}
            data-testid="export-compression"
          />
        </Group>
        <Checkbox
          label="A query instead of the whole table"
          checked={form.useQuery}
          onChange={(e) => set({ useQuery: e.currentTarget.checked })}
          data-testid="export-use-query"
        />
        {form.useQuery && (
          <Textarea
            label="Query (one SELECT)"
            autosize
            minRows={3}
            maxRows={12}
            styles={{ input: { fontFamily: 'monospace' } }}
            value={form.query}
            onChange={(e) => set({ query: e.currentTarget.value })}
            data-testid="export-query"
          />
        )}
        {problems.length > 0 && (
          <Alert color="yellow" p="xs" data-testid="export-problems">
            <List size="sm">
              {problems.map((p) => (
                <List.Item key={p}>{p}</List.Item>
              ))}
            </List>
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="default" onClick={() => setSavingTask(true)} disabled={problems.length > 0} data-testid="export-save-task">
            Save as task…
          </Button>
          <Button onClick={run} loading={busy} disabled={problems.length > 0} data-testid="export-run">
            Export
          </Button>
        </Group>
      </Stack>
      {savingTask && (
        <TaskEditor
          // A run of a saved export replaces the file the last run wrote: there is nobody to ask at 06:00.
          draft={{
            spec: { ...exportRequest(request, form), conflict: 'overwrite' },
            summary: `Export ${request.sourceLabel}:${dottedName(request.source.table)} → ${request.destinationLabel}:${request.destination.folder}/${form.name.trim()}`,
          }}
          onClose={() => setSavingTask(false)}
        />
      )}
    </Modal>
  );
}
