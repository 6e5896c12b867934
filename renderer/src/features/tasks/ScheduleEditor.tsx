import { Alert, Group, List, NumberInput, Select, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useApiQuery } from '../../api/use-api-query';
import { PRESET_LABELS, scheduleOf, WEEKDAYS, type PresetKind, type PresetState } from './schedule-presets';
import { formatInZone, systemZone } from './use-tasks';

/**
 * Presets (hourly, daily at…, weekdays at…, weekly on…) or a cron field, with the schedule in words and its
 * next five runs from the core (tasks.preview) as the user types.
 */
export function ScheduleEditor({
  value,
  onChange,
  timezone,
  onTimezone,
}: {
  value: PresetState;
  onChange: (v: PresetState) => void;
  timezone: string;
  onTimezone: (tz: string) => void;
}) {
  const set = (patch: Partial<PresetState>) => onChange({ ...value, ...patch });
  const schedule = scheduleOf(value);
  const [debounced] = useDebouncedValue(schedule, 300);
  const [zone] = useDebouncedValue(timezone.trim(), 300);
  const preview = useApiQuery('tasks.preview', { schedule: debounced ?? { type: 'every', seconds: 60 }, timezone: zone || null }, { enabled: !!debounced });
  return (
    <Stack gap="xs" data-testid="schedule-editor">
      <Group grow align="flex-end">
        <Select
          label="Schedule"
          data={PRESET_LABELS}
          value={value.kind}
          onChange={(k) => k && set({ kind: k as PresetKind })}
          allowDeselect={false}
          data-testid="schedule-preset"
          size="xs"
        />
        {(value.kind === 'daily' || value.kind === 'weekdays' || value.kind === 'weekly') && (
          <TextInput label="At (HH:MM)" value={value.time} onChange={(e) => set({ time: e.currentTarget.value })} data-testid="schedule-time" size="xs" />
        )}
        {value.kind === 'weekly' && (
          <Select label="On" data={WEEKDAYS} value={value.weekday} onChange={(d) => d && set({ weekday: d })} allowDeselect={false} data-testid="schedule-weekday" size="xs" />
        )}
        {value.kind === 'every' && (
          <NumberInput label="Minutes" min={1} value={value.minutes} onChange={(n) => set({ minutes: Number(n) })} data-testid="schedule-minutes" size="xs" />
        )}
        {value.kind === 'hourly' && (
          <NumberInput label="Minute past the hour" min={0} max={59} value={value.minute} onChange={(n) => set({ minute: Number(n) })} data-testid="schedule-minute" size="xs" />
        )}
        {value.kind !== 'manual' && (
          <TextInput label="Time zone" value={timezone} placeholder={systemZone()} onChange={(e) => onTimezone(e.currentTarget.value)} data-testid="schedule-timezone" size="xs" />
        )}
      </Group>
      {value.kind === 'cron' && (
        <TextInput
          label="Cron (minute hour day month weekday; 6 fields: seconds first; @hourly, @daily, @weekly)"
          value={value.cron}
          onChange={(e) => set({ cron: e.currentTarget.value })}
          data-testid="schedule-cron"
          size="xs"
          ff="monospace"
        />
      )}
      {value.kind === 'manual' && (
        <Text size="xs" c="dimmed">
          Runs only when you press Run now (or ferry task run).
        </Text>
      )}
      {schedule === undefined && value.kind !== 'manual' && (
        <Text size="xs" c="red" data-testid="schedule-incomplete">
          Complete the schedule.
        </Text>
      )}
      {schedule && preview.error && (
        <Alert color="red" p="xs" data-testid="schedule-error">
          {preview.error.message}
        </Alert>
      )}
      {schedule && preview.data && !preview.error && (
        <div data-testid="schedule-preview">
          <Text size="sm" fw={500} data-testid="schedule-words">
            {preview.data.text}
          </Text>
          <List size="xs" data-testid="schedule-next-runs">
            {preview.data.nextRuns.map((r) => (
              <List.Item key={r} data-testid="schedule-next-run">
                {formatInZone(r, preview.data!.timezone)}
              </List.Item>
            ))}
          </List>
        </div>
      )}
    </Stack>
  );
}
