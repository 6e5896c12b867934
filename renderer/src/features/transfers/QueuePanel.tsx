import { Badge, Button, Group, Paper, Tabs, Text } from '@mantine/core';
import { useState } from 'react';
import { TaskRunNotifier } from '../tasks/TaskRunNotifier';
import { TasksTab } from '../tasks/TasksTab';
import { HistoryTab } from './HistoryTab';
import { isFinished, jobsStore } from './jobs-store';
import { JobRow } from './JobRow';
import classes from './Transfers.module.css';
import { useLiveJobs } from './use-live-jobs';

/** The transfer queue (live jobs of this session) and the History of finished jobs. */
export function QueuePanel() {
  const jobs = useLiveJobs();
  const [tab, setTab] = useState<string | null>('queue');
  const active = jobs.filter((j) => !isFinished(j.state)).length;
  const finished = jobs.length - active;
  return (
    <Paper withBorder className={classes.panel} data-testid="queue-panel">
      <TaskRunNotifier />
      <Tabs value={tab} onChange={setTab} className={classes.tabs} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab
            value="queue"
            data-testid="queue-tab"
            rightSection={
              active > 0 ? (
                <Badge size="xs" circle data-testid="queue-active-count">
                  {active}
                </Badge>
              ) : null
            }
          >
            Transfers
          </Tabs.Tab>
          <Tabs.Tab value="history" data-testid="history-tab">
            History
          </Tabs.Tab>
          <Tabs.Tab value="tasks" data-testid="tasks-tab">
            Tasks
          </Tabs.Tab>
          {tab === 'queue' && finished > 0 && (
            <Group ml="auto" pr={6}>
              <Button size="compact-xs" variant="subtle" onClick={() => jobsStore.clearFinished()} data-testid="queue-clear-finished">
                Clear finished
              </Button>
            </Group>
          )}
        </Tabs.List>
        <Tabs.Panel value="queue" className={classes.tabPanel}>
          {jobs.map((j) => (
            <JobRow key={j.id} job={j} />
          ))}
          {jobs.length === 0 && (
            <Text size="sm" c="dimmed" p="sm" data-testid="queue-empty">
              No transfers. Select files and press Copy (Ctrl+Shift+C) or drag them to the other pane.
            </Text>
          )}
        </Tabs.Panel>
        <Tabs.Panel value="history" className={classes.tabPanel}>
          <HistoryTab />
        </Tabs.Panel>
        <Tabs.Panel value="tasks" className={classes.tabPanel}>
          <TasksTab />
        </Tabs.Panel>
      </Tabs>
    </Paper>
  );
}
