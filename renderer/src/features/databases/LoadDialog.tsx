import { Alert, Badge, Button, Group, Loader, Modal, MultiSelect, NumberInput, Radio, SegmentedControl, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useEffect, useMemo, useState } from 'react';
import { LOAD_MODES, type LoadMode } from '../../../../shared/table';
import { useApiQuery } from '../../api/use-api-query';
import { describeError } from '../../components/format';
import { modalTestId } from '../../components/testid';
import { TaskEditor } from '../tasks/TaskEditor';
import { useTransfers } from '../transfers/use-transfers';
import { formProblems, loadPlanRequest, loadRequest, newLoadForm, withSourceColumns, type LoadForm, type LoadSource, type MappingRow } from './load-model';
import { LoadPlanView, LoadProblems } from './LoadPlanView';
import { MappingTable } from './MappingTable';
import { useLoadPlan } from './use-load-plan';

export interface LoadRequest {
  source: LoadSource & { label: string };
  /** The database, and where the drop landed: a schema, or an existing table. */
  destination: { endpoint: string; label: string; schema: string; table: string; exists: boolean };
  /** Where a rejects file goes by default: beside the source file, or this computer's home for a database source. */
  rejectsAt: { endpoint: string; folder: string; label: string };
}

const MODE_HELP: Record<LoadMode, string> = {
  create: 'A new table from the file’s columns; refused if it exists.',
  append: 'Add the rows to the existing table.',
  truncate: 'Empty the table, then load (one transaction: a failed load keeps the old rows).',
  replace: 'Drop the table and create it again from the file’s columns.',
  upsert: 'Insert, or update the row with the same key.',
};

/**
 * The mapping dialog: a file (or a table) into a table. The file's columns and inferred types come from its
 * preview; every change asks the core for a dry run (table.loadPlan) showing the pairing, the DDL, the first
 * rows as they would load and what stops it. The Load button runs exactly the spec that dry run answered.
 */
export function LoadDialog({ request, onClose }: { request: LoadRequest; onClose: () => void }) {
  const transfers = useTransfers();
  const { source, destination } = request;
  const [form, setForm] = useState<LoadForm>(() => newLoadForm(source, destination, request.rejectsAt));
  const [busy, setBusy] = useState(false);
  const [savingTask, setSavingTask] = useState(false);
  const set = (patch: Partial<LoadForm>) => setForm((f) => ({ ...f, ...patch }));
  const setColumn = (i: number, patch: Partial<MappingRow>) => setForm((f) => ({ ...f, columns: f.columns.map((c, j) => (j === i ? { ...c, ...patch } : c)) }));

  const sourcePreview = useApiQuery('table.preview', { endpoint: source.endpoint, path: source.path, limit: 20 });
  const sourceColumns = sourcePreview.data?.columns;
  useEffect(() => {
    if (sourceColumns) setForm((f) => ({ ...f, columns: withSourceColumns(f.columns, sourceColumns) }));
  }, [sourceColumns]);

  const ownProblems = formProblems(form);
  const request_ = useMemo(
    () => (sourceColumns && ownProblems.length === 0 ? loadPlanRequest(source, destination.endpoint, form) : null),
    [sourceColumns, ownProblems.length, source, destination.endpoint, form],
  );
  const dry = useLoadPlan(request_);
  const current = request_ !== null && dry.answered === JSON.stringify(request_) && !dry.planning;
  const plan = current ? dry.plan : null;
  const problems = [...ownProblems, ...(plan?.problems ?? [])];
  const canLoad = plan !== null && problems.length === 0;
  const targets = form.columns.filter((c) => c.include).map((c) => c.target.trim() || c.source);

  const run = async () => {
    setBusy(true);
    const queued = await transfers.start(loadRequest(source, destination.endpoint, form));
    setBusy(false);
    if (queued) onClose();
  };

  return (
    <Modal opened onClose={onClose} title={`Load ${source.path.split('/').pop()} into a table`} size="90%" {...modalTestId('load-dialog', { 'data-ready': canLoad ? 'true' : undefined })}>
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          From {source.label} · {source.path} into {destination.label}
        </Text>
        <Group align="flex-end" gap="sm">
          <TextInput label="Schema" w={180} value={form.schema} onChange={(e) => set({ schema: e.currentTarget.value })} data-testid="load-schema" />
          <TextInput label="Table" w={260} value={form.table} onChange={(e) => set({ table: e.currentTarget.value })} data-testid="load-table" />
          {plan && (
            <Badge variant="light" color={plan.exists ? 'blue' : 'teal'} mb={6} data-testid="load-target-state" data-exists={plan.exists}>
              {plan.exists ? 'existing table' : 'new table'}
            </Badge>
          )}
          {(dry.planning || sourcePreview.loading) && <Loader size="xs" mb={8} data-testid="load-planning" />}
        </Group>
        <div>
          <SegmentedControl size="xs" value={form.mode} data={[...LOAD_MODES]} onChange={(v) => set({ mode: v as LoadMode })} data-testid="load-mode" />
          <Text size="xs" c="dimmed" mt={4}>
            {MODE_HELP[form.mode]}
          </Text>
        </div>
        {form.mode === 'upsert' && (
          <MultiSelect
            label="Key columns"
            description="The rows that match on these are updated; empty: the table's primary key"
            data={[...new Set(targets)]}
            value={form.key}
            onChange={(key) => set({ key })}
            data-testid="load-key"
          />
        )}
        {sourcePreview.error ? (
          <Alert color="red" p="xs" data-testid="load-source-error" data-code={sourcePreview.error.code}>
            {describeError(sourcePreview.error.title, sourcePreview.error.message)}
          </Alert>
        ) : (
          <MappingTable rows={form.columns} mapping={plan?.mapping ?? null} onChange={setColumn} />
        )}
        <Group align="flex-end" gap="lg">
          <TextInput
            label="Read this text as NULL"
            placeholder="(none)"
            w={200}
            value={form.nullAs}
            onChange={(e) => set({ nullAs: e.currentTarget.value })}
            data-testid="load-null-as"
          />
          <Switch label="Trim spaces around text" checked={form.trim} onChange={(e) => set({ trim: e.currentTarget.checked })} mb={8} data-testid="load-trim" />
        </Group>
        <ErrorPolicyFields form={form} set={set} rejectsLabel={request.rejectsAt.label} />
        {plan && <LoadPlanView plan={plan} />}
        <LoadProblems problems={problems} error={current ? dry.error : null} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="default" onClick={() => setSavingTask(true)} disabled={!canLoad} data-testid="load-save-task">
            Save as task…
          </Button>
          <Button onClick={run} loading={busy} disabled={!canLoad} data-testid="load-run">
            Load
          </Button>
        </Group>
      </Stack>
      {savingTask && (
        <TaskEditor
          draft={{
            spec: loadRequest(source, destination.endpoint, form),
            summary: `Load ${source.label}:${source.path} → ${destination.label}:${form.schema.trim()}.${form.table.trim()} (${form.mode})`,
          }}
          onClose={() => setSavingTask(false)}
        />
      )}
    </Modal>
  );
}

function ErrorPolicyFields({ form, set, rejectsLabel }: { form: LoadForm; set: (p: Partial<LoadForm>) => void; rejectsLabel: string }) {
  return (
    <Radio.Group label="When a row cannot be loaded" value={form.policy} onChange={(v) => set({ policy: v as LoadForm['policy'] })}>
      <Stack gap={6} mt={4}>
        <Radio value="all-or-nothing" label="Load nothing: the table stays as it was" data-testid="load-policy-all" />
        <Radio value="max-errors" label="Skip it and list it in a rejects file, up to a limit" data-testid="load-policy-max" />
        {form.policy === 'max-errors' && (
          <Group gap="sm" align="flex-end" pl={28}>
            <NumberInput
              label="At most"
              w={120}
              min={1}
              value={form.maxErrors}
              onChange={(v) => set({ maxErrors: typeof v === 'number' ? v : Number(v) || 0 })}
              data-testid="load-max-errors"
            />
            <TextInput
              label={`Rejects file (on ${rejectsLabel})`}
              w={420}
              value={form.rejects.path}
              onChange={(e) => set({ rejects: { ...form.rejects, path: e.currentTarget.value } })}
              data-testid="load-rejects-path"
            />
          </Group>
        )}
      </Stack>
    </Radio.Group>
  );
}
