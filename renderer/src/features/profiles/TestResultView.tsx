import { Alert, Group, List, Text, ThemeIcon } from '@mantine/core';
import { useEffect, useRef } from 'react';
import type { TestState } from './use-profile-test';

const STEP_LABELS: Record<string, string> = {
  resolve: 'Find the host',
  connect: 'Connect',
  'verify host': 'Verify the host key',
  home: 'Find the start folder',
  authenticate: 'Sign in',
  list: 'List the start folder',
};

/** Each step of a connection test with its time, and the failure in plain words. */
export function TestResultView({ state }: { state: TestState }) {
  const { result, error } = state;
  const ref = useRef<HTMLDivElement>(null);
  // The form can be long: bring the outcome into view when it arrives.
  useEffect(() => {
    ref.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [result, error]);
  if (!result && !error) return null;
  return (
    <div ref={ref} data-testid="profile-test-result" data-ok={result?.ok ? 'true' : 'false'}>
      {result && (
        <List spacing={2} size="sm" mb="xs">
          {result.steps.map((s) => (
            <List.Item
              key={s.step}
              data-testid={`test-step-${s.step}`}
              data-ok={s.ok ? 'true' : 'false'}
              icon={
                <ThemeIcon size={18} radius="xl" color={s.ok ? 'teal' : 'red'}>
                  {s.ok ? '✓' : '✕'}
                </ThemeIcon>
              }
            >
              <Group gap={6}>
                <Text size="sm">{STEP_LABELS[s.step] ?? s.step}</Text>
                <Text size="xs" c="dimmed">
                  {Math.round(s.ms)} ms
                </Text>
              </Group>
            </List.Item>
          ))}
        </List>
      )}
      {result?.ok && (
        <Alert color="teal" p="xs" data-testid="profile-test-ok">
          Connection works.
        </Alert>
      )}
      {error && (
        <Alert color="red" title={error.title} data-testid="profile-test-error" data-code={error.code}>
          {error.message}
        </Alert>
      )}
    </div>
  );
}
