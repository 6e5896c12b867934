import { Button, Collapse, Divider, Group, NativeSelect, Stack, Text, TextInput, UnstyledButton } from '@mantine/core';
import { useState } from 'react';
import type { ConnectorInfo, ConnectorType, OptionSpec } from '../../../../shared/connectors';
import type { Profile } from '../../../../shared/profiles';
import { invalidate } from '../../api/query-cache';
import { useApiMutation } from '../../api/use-api-mutation';
import { notifyInfo } from '../../components/notify';
import { OptionField } from './OptionField';
import { TestResultView } from './TestResultView';
import { useProfileForm, type ProfileFormModel } from './use-profile-form';
import { useProfileTest } from './use-profile-test';

interface Props {
  profile: Profile | null;
  connectors: ConnectorInfo[];
  initialType: ConnectorType;
  onSaved: (p: Profile) => void;
}

function Fields({ options, model, stored }: { options: OptionSpec[]; model: ProfileFormModel; stored: readonly string[] }) {
  const { form, errors } = model;
  return (
    <>
      {options.map((o) => (
        <OptionField
          key={o.name}
          option={o}
          value={form.values[o.name]}
          error={errors[o.name]}
          onChange={(v) => model.setValue(o.name, v)}
          secret={{
            typed: form.secrets[o.name] ?? '',
            stored: stored.includes(o.name),
            cleared: form.cleared.includes(o.name),
            onType: (v) => model.setSecret(o.name, v),
            onClear: (c) => model.setCleared(o.name, c),
          }}
        />
      ))}
    </>
  );
}

/** The connection form, generated from the connector's declared options; basic fields, then "Advanced". */
export function ProfileForm({ profile, connectors, initialType, onSaved }: Props) {
  const model = useProfileForm(profile, connectors, initialType);
  const stored = profile?.secretsSet ?? [];
  const [advanced, setAdvanced] = useState(false);
  const test = useProfileTest();
  const afterSave = (p: Profile) => {
    invalidate('profiles.list');
    notifyInfo(profile ? 'Connection saved' : 'Connection created', p.name);
    onSaved(p);
  };
  const create = useApiMutation('profiles.create', { onSuccess: afterSave });
  const update = useApiMutation('profiles.update', { onSuccess: afterSave });

  const basic = model.visible.filter((o) => !o.advanced);
  const adv = model.visible.filter((o) => o.advanced);

  const save = () => {
    model.touch();
    const input = model.input();
    if (!model.valid || !input) return;
    if (profile) void update.run({ ...input, id: profile.id });
    else void create.run(input);
  };

  const runTest = () => {
    const input = model.input();
    if (!input) return;
    // A saved, unchanged profile is tested as stored; otherwise the form as typed (stored secrets still apply via id).
    if (profile && !model.dirty) void test.run({ id: profile.id });
    else void test.run({ ...(profile ? { id: profile.id } : {}), input });
  };

  return (
    <form
      data-testid="profile-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
    >
      <Stack gap="sm">
        <Group grow align="flex-start">
          <TextInput label="Name" required value={model.form.name} error={model.errors.name} onChange={(e) => model.setName(e.currentTarget.value)} data-testid="profile-name" />
          <NativeSelect
            label="Type"
            value={model.form.type}
            disabled={profile !== null}
            data={connectors.filter((c) => c.type !== 'local').map((c) => ({ value: c.type, label: c.label }))}
            onChange={(e) => model.setType(e.currentTarget.value as ConnectorType)}
            data-testid="profile-type"
          />
        </Group>
        {model.connector && (
          <Text size="xs" c="dimmed">
            {model.connector.description}
          </Text>
        )}
        <Fields options={basic} model={model} stored={stored} />
        {adv.length > 0 && (
          <>
            <UnstyledButton onClick={() => setAdvanced((a) => !a)} data-testid="profile-advanced-toggle" aria-expanded={advanced}>
              <Divider label={`${advanced ? '▾' : '▸'} Advanced (${adv.length})`} labelPosition="left" />
            </UnstyledButton>
            <Collapse expanded={advanced}>
              <Stack gap="sm">
                <Fields options={adv} model={model} stored={stored} />
              </Stack>
            </Collapse>
          </>
        )}
        <TestResultView state={test} />
        <Group justify="flex-end">
          <Button variant="default" loading={test.running} onClick={runTest} data-testid="profile-test">
            Test connection
          </Button>
          <Button type="submit" loading={create.loading || update.loading} data-testid="profile-save">
            {profile ? 'Save' : 'Create'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
