import type { ConflictPolicy } from '../../../../shared/transfers';

export type ChosenPolicy = Exclude<ConflictPolicy, 'ask'>;

/** The choices offered when a file already exists at the destination, in plain words. */
export const POLICY_CHOICES: { value: ChosenPolicy; label: string; help: string }[] = [
  { value: 'overwrite', label: 'Overwrite', help: 'Replace the existing file.' },
  { value: 'if-changed', label: 'Overwrite if newer or different', help: 'Replace it when the source is newer or its size differs; otherwise skip.' },
  { value: 'skip', label: 'Skip', help: 'Keep the existing file.' },
  { value: 'rename', label: 'Keep both', help: 'Write the new file as "name (1).ext".' },
  { value: 'resume', label: 'Resume', help: 'Continue a partial file where it stopped (overwrites when it cannot).' },
];
