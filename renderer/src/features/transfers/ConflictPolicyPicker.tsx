import { Checkbox, Radio, Stack } from '@mantine/core';
import { POLICY_CHOICES, type ChosenPolicy } from './policies';

interface Props {
  policy: ChosenPolicy;
  onPolicy: (p: ChosenPolicy) => void;
  applyToAll: boolean;
  onApplyToAll: (v: boolean) => void;
  applyToAllLabel: string;
}

/** The policy radio list plus "apply to all", shared by the plan and the running-job conflict dialogs. */
export function ConflictPolicyPicker({ policy, onPolicy, applyToAll, onApplyToAll, applyToAllLabel }: Props) {
  return (
    <Stack gap="xs">
      <Radio.Group value={policy} onChange={(v) => onPolicy(v as ChosenPolicy)} label="What should Ferry do?">
        <Stack gap={6} mt={6}>
          {POLICY_CHOICES.map((c) => (
            <Radio key={c.value} value={c.value} label={c.label} description={c.help} data-testid={`conflict-policy-${c.value}`} />
          ))}
        </Stack>
      </Radio.Group>
      <Checkbox
        label={applyToAllLabel}
        checked={applyToAll}
        onChange={(e) => onApplyToAll(e.currentTarget.checked)}
        data-testid="conflict-apply-all"
      />
    </Stack>
  );
}
