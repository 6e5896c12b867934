import { Alert, Button, Checkbox, Code, Group, Modal, SegmentedControl, SimpleGrid, Stack, TagsInput, Text } from '@mantine/core';
import { useEffect, useMemo, useState } from 'react';
import type { Plan, PlanAction } from '../../../../shared/transfers';
import { api } from '../../api/client';
import { toClientError, type FerryClientError } from '../../api/errors';
import { formatBytes, plural } from '../../components/format';
import { notifyError, notifyInfo } from '../../components/notify';
import { jobsStore } from './jobs-store';
import { PlanItemList } from './PlanItemList';
import { ACTION_LABELS, summarize } from './plan-summary';
import type { SyncRequest } from './transfers-context';
import { modalTestId } from '../../components/testid';
import { TaskEditor } from '../tasks/TaskEditor';

/**
 * Sync the source pane's folder into the destination pane's folder. The plan is shown first (what will be
 * copied, overwritten, deleted, with bytes) and exactly that plan runs: jobs.create({planId}).
 */
export function SyncDialog({ request, onClose }: { request: SyncRequest; onClose: () => void }) {
  const [swapped, setSwapped] = useState(false);
  const [mirror, setMirror] = useState(false);
  const [include, setInclude] = useState<string[]>([]);
  const [exclude, setExclude] = useState<string[]>([]);
  const [plan, setPlan] = useState<Plan | null>(null);
  const [error, setError] = useState<FerryClientError | null>(null);
  const [busy, setBusy] = useState<'plan' | 'run' | null>(null);
  const [show, setShow] = useState<PlanAction | 'all'>('all');
  const [savingTask, setSavingTask] = useState(false);

  const source = swapped ? request.destination : request.source;
  const destination = swapped ? request.source : request.destination;

  // Any change to what would be planned makes the shown plan obsolete: it must be previewed again.
  useEffect(() => {
    setPlan(null);
    setError(null);
  }, [swapped, mirror, include, exclude]);

  const spec = {
    kind: 'sync' as const,
    source: { endpoint: source.endpoint, paths: [source.path] },
    destination: { endpoint: destination.endpoint, path: destination.path },
    mirror,
    conflict: 'if-changed' as const,
    filters: { include, exclude },
  };

  const preview = async () => {
    setBusy('plan');
    setError(null);
    try {
      const p = await api.call('jobs.plan', spec);
      setPlan(p);
      setShow('all');
    } catch (e) {
      setError(toClientError(e));
    } finally {
      setBusy(null);
    }
  };

  const run = async () => {
    if (!plan) return;
    setBusy('run');
    try {
      const job = await api.call('jobs.create', { planId: plan.id });
      jobsStore.upsert(job);
      notifyInfo('Sync started', job.title);
      onClose();
    } catch (e) {
      notifyError(e, 'Could not start the sync');
    } finally {
      setBusy(null);
    }
  };

  const totals = useMemo(() => (plan ? summarize(plan) : []), [plan]);
  const items = useMemo(() => (!plan ? [] : show === 'all' ? plan.items : plan.items.filter((i) => i.action === show)), [plan, show]);
  const work = totals.filter((t) => t.action !== 'skip').reduce((n, t) => n + t.files, 0);

  return (
    <Modal opened onClose={onClose} title="Sync folders" size="xl" {...modalTestId('sync-dialog')}>
      <Stack gap="sm">
        <SimpleGrid cols={2}>
          <Text size="sm">
            From <b>{source.label}</b> <Code data-testid="sync-source">{source.path}</Code>
          </Text>
          <Text size="sm">
            To <b>{destination.label}</b> <Code data-testid="sync-destination">{destination.path}</Code>
          </Text>
        </SimpleGrid>
        <Group>
          <Button size="xs" variant="default" onClick={() => setSwapped((s) => !s)} data-testid="sync-swap">
            Swap direction
          </Button>
          <Checkbox
            label="Mirror: delete files at the destination that are not in the source"
            checked={mirror}
            onChange={(e) => setMirror(e.currentTarget.checked)}
            data-testid="sync-mirror"
          />
        </Group>
        <SimpleGrid cols={2}>
          <TagsInput label="Include only" placeholder="*.csv, reports/**" value={include} onChange={setInclude} data-testid="sync-include" size="xs" />
          <TagsInput label="Exclude" placeholder="*.tmp, .git/**" value={exclude} onChange={setExclude} data-testid="sync-exclude" size="xs" />
        </SimpleGrid>
        {error && (
          <Alert color="red" title={error.title} data-testid="sync-error">
            {error.message}
          </Alert>
        )}
        {plan && (
          <>
            <Group gap="lg" data-testid="sync-totals">
              {totals.map((t) => (
                <Text key={t.action} size="sm" data-testid={`sync-total-${t.action}`}>
                  <b>{ACTION_LABELS[t.action]}:</b> {plural(t.files, t.action === 'mkdir' ? 'folder' : 'file')}
                  {t.action !== 'mkdir' ? `, ${formatBytes(t.bytes)}` : ''}
                </Text>
              ))}
              {totals.length === 0 && <Text size="sm">The destination is already in sync.</Text>}
            </Group>
            {mirror && plan.totals.deletes > 0 && (
              <Alert color="orange" p="xs">
                {plural(plan.totals.deletes, 'file')} will be deleted at the destination.
              </Alert>
            )}
            <SegmentedControl
              size="xs"
              value={show}
              onChange={(v) => setShow(v as PlanAction | 'all')}
              data={[{ value: 'all', label: `All (${plan.items.length})` }, ...totals.map((t) => ({ value: t.action, label: `${ACTION_LABELS[t.action]} (${t.files})` }))]}
            />
            <PlanItemList items={items} />
          </>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="default" onClick={() => setSavingTask(true)} data-testid="sync-save-task">
            Save as task…
          </Button>
          <Button variant={plan ? 'default' : 'filled'} loading={busy === 'plan'} onClick={preview} data-testid="sync-preview">
            {plan ? 'Preview again' : 'Preview'}
          </Button>
          <Button disabled={!plan || work === 0} loading={busy === 'run'} onClick={run} data-testid="sync-run">
            Run this plan
          </Button>
        </Group>
      </Stack>
      {savingTask && (
        <TaskEditor
          draft={{ spec, summary: `${mirror ? 'Mirror' : 'Sync'} ${source.label}:${source.path} → ${destination.label}:${destination.path}` }}
          onClose={() => setSavingTask(false)}
        />
      )}
    </Modal>
  );
}
