import type { Readable } from 'node:stream';
import type { Entry } from '../../../shared/connectors';

/**
 * A file's facts (size, modification time) as its server saw them once it had served the last byte a read
 * stream asked for. The engine re-checks a source that can change in place after copying it (file-task.ts,
 * recheckSource): a source that can say this in the same round trip as its last read spares that check a
 * round trip of its own. SFTP sends an FSTAT of the open handle behind its last READ; the server answers
 * requests on a handle as if in order, so the answer describes the file after that READ was served. FTP
 * sends SIZE and MDTM once the data has come, answered right after the transfer's last reply.
 *
 * A stream may report again (a short last answer asks once more for the rest): the latest report counts.
 */
const reports = new WeakMap<Readable, Promise<Entry>>();

/** `stream`'s reader says what the file looks like after its last byte was read. */
export function reportFinalFacts(stream: Readable, facts: Promise<Entry>): void {
  facts.catch(() => {}); // a stream nobody re-checks (a preview, a cancel) leaves it unread
  reports.set(stream, facts);
}

/** What `stream`'s reader reported, if it did: read after the stream has ended. */
export function finalFacts(stream: Readable): Promise<Entry> | undefined {
  return reports.get(stream);
}
