import { useCallback, useMemo, useState } from 'react';
import type { ConnectorInfo, ConnectorType } from '../../../../shared/connectors';
import type { Profile } from '../../../../shared/profiles';
import { formFromProfile, newForm, toInput, validate, visibleOptions, type ProfileForm } from './form-model';

/** State of the profile form for one saved profile (edit) or a new one, generated from the connector's options. */
export function useProfileForm(profile: Profile | null, connectors: ConnectorInfo[], initialType: ConnectorType) {
  const byType = useMemo(() => new Map(connectors.map((c) => [c.type, c])), [connectors]);
  const [form, setForm] = useState<ProfileForm>(() =>
    profile ? formFromProfile(profile, byType.get(profile.type)) : newForm(byType.get(initialType) ?? connectors[0]),
  );
  const [touched, setTouched] = useState(false);
  const [dirty, setDirty] = useState(false);
  const connector = byType.get(form.type);

  const update = useCallback((fn: (f: ProfileForm) => ProfileForm) => {
    setForm(fn);
    setDirty(true);
  }, []);

  const setType = (type: ConnectorType) => {
    const c = byType.get(type);
    if (c) update((f) => ({ ...newForm(c, f.name) }));
  };
  const setValue = (name: string, v: string | number | boolean) => update((f) => ({ ...f, values: { ...f.values, [name]: v } }));
  const setSecret = (name: string, v: string) => update((f) => ({ ...f, secrets: { ...f.secrets, [name]: v } }));
  const setCleared = (name: string, clear: boolean) =>
    update((f) => ({ ...f, cleared: clear ? [...f.cleared, name] : f.cleared.filter((n) => n !== name) }));

  const errors = connector ? validate(form, connector, profile?.secretsSet ?? []) : {};
  const visible = connector ? visibleOptions(connector, form.values) : [];

  return {
    form,
    connector,
    visible,
    errors: touched ? errors : {},
    valid: Object.keys(errors).length === 0,
    dirty,
    /** Shows the field errors from now on (after the first Save or Test). */
    touch: () => setTouched(true),
    input: () => (connector ? toInput(form, connector) : null),
    setName: (name: string) => update((f) => ({ ...f, name })),
    setType,
    setValue,
    setSecret,
    setCleared,
  };
}

export type ProfileFormModel = ReturnType<typeof useProfileForm>;
