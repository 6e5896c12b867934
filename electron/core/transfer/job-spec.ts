import { JobSpecSchema, type JobSpec, type JobSpecInput } from '../../../shared/transfers';
import { FerryError } from '../errors';
import { outputFormat } from './convert-task';

/**
 * A job spec checked and completed with its defaults, or INVALID_INPUT saying what is wrong. This module is
 * imported on demand (`await import`) where a job is planned or a task saved: it holds the schemas, and zod
 * with them, which a command that plans no job (ls, preview, profile) does not load (about 60 ms of start-up).
 */
export function parseSpec(input: JobSpecInput): JobSpec {
  const r = JobSpecSchema.safeParse(input);
  if (!r.success) {
    const what = r.error.issues.map((i) => `${i.path.join('.') || 'spec'}: ${i.message}`).join('; ');
    throw new FerryError('INVALID_INPUT', `Invalid job: ${what}`);
  }
  if (r.data.mirror && r.data.kind !== 'sync') throw new FerryError('INVALID_INPUT', 'Mirror (delete what the source lacks) applies to sync jobs only');
  if (r.data.kind === 'convert') {
    if (!r.data.convert) throw new FerryError('INVALID_INPUT', 'A convert job needs convert.name (the result file) and its formats');
    if (r.data.source.paths.length !== 1) throw new FerryError('INVALID_INPUT', 'A convert job reads exactly one source file');
    if (!r.data.convert.load) outputFormat(r.data.convert.write.format, r.data.convert.name);
  } else if (r.data.convert) {
    throw new FerryError('INVALID_INPUT', 'convert options apply to convert jobs only');
  }
  return r.data;
}
