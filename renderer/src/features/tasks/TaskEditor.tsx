import { Alert, Button, Code, Group, Modal, NumberInput, Select, SimpleGrid, Stack, Switch, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { Task, TaskInput } from '../../../../shared/tasks';
import { useApiMutation } from '../../api/use-api-mutation';
import { notifyInfo } from '../../components/notify';
import { modalTestId } from '../../components/testid';
import { presetOf, scheduleOf, DEFAULT_PRESET, type PresetState } from './schedule-presets';
import { ScheduleEditor } from './ScheduleEditor';
import { systemZone } from './use-tasks';

/** What the editor starts from: a job to save as a new task (from a dialog), or a saved task to change. */
export type TaskDraft = { spec: TaskInput['spec']; summary: string; task?: undefined } | { task: Task; spec?: undefined; summary?: undefined };

/** Save as task / edit task: name, schedule (presets or cron, with its next runs), catch-up, overlap, retries. */
export function TaskEditor({ draft, onClose, onSaved }: { draft: TaskDraft; onClose: () => void; onSaved?: (t: Task) => void }) {
  const t = draft.task;
  const [name, setName] = useState(t?.name ?? '');
  const [preset, setPreset] = useState<PresetState>(t ? presetOf(t.schedule) : DEFAULT_PRESET);
  const [timezone, setTimezone] = useState(t?.timezone ?? systemZone());
  const [catchUp, setCatchUp] = useState<string>(t?.catchUp ?? 'once');
  const [overlap, setOverlap] = useState<string>(t?.overlap ?? 'skip');
  const [retries, setRetries] = useState<number>(t?.retries ?? 2);
  const [enabled, setEnabled] = useState(t?.enabled ?? true);
  const [notifyOnSuccess, setNotifyOnSuccess] = useState(t?.notifyOnSuccess ?? false);
  const save = useApiMutation('tasks.save', {
    notify: false,
    onSuccess: (saved) => {
      notifyInfo(t ? 'Task saved' : 'Task created', `${saved.name}: ${saved.scheduleText}`);
      onSaved?.(saved);
      onClose();
    },
  });
  const schedule = scheduleOf(preset);
  const submit = () => {
    if (schedule === undefined) return;
    void save.run({
      ...(t ? { id: t.id } : {}),
      name: name.trim(),
      spec: t ? t.spec : draft.spec!,
      schedule,
      timezone: timezone.trim() || null,
      catchUp: catchUp as 'once',
      overlap: overlap as 'skip',
      retries,
      enabled,
      notifyOnSuccess,
      ...(t ? { catchUpWindowHours: t.catchUpWindowHours, retryBackoffSeconds: t.retryBackoffSeconds } : {}),
    });
  };
  return (
    <Modal opened onClose={onClose} title={t ? `Edit task ${t.name}` : 'Save as task'} size="lg" {...modalTestId('task-editor')}>
      <Stack gap="sm">
        <Code data-testid="task-editor-job">{t?.summary ?? draft.summary}</Code>
        <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} placeholder="Nightly partner pull" data-testid="task-name" data-autofocus />
        <ScheduleEditor value={preset} onChange={setPreset} timezone={timezone} onTimezone={setTimezone} />
        <SimpleGrid cols={3}>
          <Select
            size="xs"
            label="Missed while off or asleep"
            data={[
              { value: 'once', label: 'Run once on start or wake' },
              { value: 'skip', label: 'Skip it' },
            ]}
            value={catchUp}
            onChange={(v) => v && setCatchUp(v)}
            allowDeselect={false}
            data-testid="task-catch-up"
          />
          <Select
            size="xs"
            label="Due while still running"
            data={[
              { value: 'skip', label: 'Skip that run' },
              { value: 'queue', label: 'Queue one run' },
            ]}
            value={overlap}
            onChange={(v) => v && setOverlap(v)}
            allowDeselect={false}
            data-testid="task-overlap"
          />
          <NumberInput size="xs" label="Retries (connection lost, timeout)" min={0} max={10} value={retries} onChange={(n) => setRetries(Number(n))} data-testid="task-retries" />
        </SimpleGrid>
        <Group>
          <Switch label="Enabled" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} data-testid="task-enabled" />
          <Switch label="Notify when a run succeeds too" checked={notifyOnSuccess} onChange={(e) => setNotifyOnSuccess(e.currentTarget.checked)} data-testid="task-notify-success" />
        </Group>
        {save.error && (
          <Alert color="red" title={save.error.title} data-testid="task-editor-error">
            {save.error.message}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={submit} loading={save.loading} disabled={!name.trim() || schedule === undefined} data-testid="task-save">
            Save task
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
