import { describe, expect, it } from 'vitest';
import { CsvTokenizer, type CsvRecord, type FieldSink } from '../../electron/core/table/csv/tokenizer';

/**
 * The tokenizer sees a file in chunks cut anywhere: inside a quoted field, between a CR and its LF, inside
 * a doubled quote. Whatever the cuts, the records (fields, quoted or not, starting line) are the same, and
 * the ranges it hands the CSV reader (FieldSink) are exactly those fields.
 */
const TEXT = 'id,name,note\r\n1,"a, b","say ""hi"""\r\n\r\n2,"two\nlines",\r3,,""\n""\n4,"ab"c,x';

const EXPECTED: CsvRecord[] = [
  { fields: ['id', 'name', 'note'], quoted: [false, false, false], line: 1 },
  { fields: ['1', 'a, b', 'say "hi"'], quoted: [false, true, true], line: 2 },
  // line 3 is blank: no record
  { fields: ['2', 'two\nlines', ''], quoted: [false, true, false], line: 4 },
  { fields: ['3', '', ''], quoted: [false, false, true], line: 6 },
  { fields: [''], quoted: [true], line: 7 }, // "" alone is an empty string, not a blank line
  { fields: ['4', 'abc', 'x'], quoted: [false, true, false], line: 8 },
];

const options = { delimiter: ',', quote: '"', escape: '"', maxField: 1 << 20 };

function records(pieces: string[], opts = options): CsvRecord[] {
  const t = new CsvTokenizer(opts);
  const out: CsvRecord[] = [];
  for (const p of pieces) t.push(p, out);
  return t.end(out);
}

/** The same through FieldSink: each field cut from its range. */
function viaSink(pieces: string[]): CsvRecord[] {
  const t = new CsvTokenizer(options);
  const out: CsvRecord[] = [];
  let fields: string[] = [];
  let quoted: boolean[] = [];
  const sink: FieldSink = {
    field(text, start, end, q) {
      fields.push(text.slice(start, end));
      quoted.push(q);
    },
    record(line, n) {
      expect(n).toBe(fields.length);
      out.push({ fields, quoted, line });
      fields = [];
      quoted = [];
    },
  };
  for (const p of pieces) t.feed(p, sink);
  t.end(sink);
  return out;
}

describe('CSV tokenizer', () => {
  it('reads quoted delimiters, doubled quotes, quoted newlines, CRLF, CR and blank lines', () => {
    expect(records([TEXT])).toEqual(EXPECTED);
    expect(viaSink([TEXT])).toEqual(EXPECTED);
  });

  it('gives the same records whatever the chunks: cut at every position, and one character at a time', () => {
    for (let i = 0; i <= TEXT.length; i++) {
      const pieces = [TEXT.slice(0, i), TEXT.slice(i)];
      expect(records(pieces), `cut at ${i}`).toEqual(EXPECTED);
      expect(viaSink(pieces), `cut at ${i}`).toEqual(EXPECTED);
    }
    expect(records([...TEXT])).toEqual(EXPECTED);
    expect(viaSink([...TEXT])).toEqual(EXPECTED);
  });

  it('a backslash escape instead of doubled quotes, cut anywhere', () => {
    const text = 'a;"x\\"y;z"\n"\\\\";b\n';
    const want: CsvRecord[] = [
      { fields: ['a', 'x"y;z'], quoted: [false, true], line: 1 }, // the escape itself is not kept
      { fields: ['\\', 'b'], quoted: [true, false], line: 2 },
    ];
    const opts = { ...options, delimiter: ';', escape: '\\' };
    for (let i = 0; i <= text.length; i++) expect(records([text.slice(0, i), text.slice(i)], opts), `cut at ${i}`).toEqual(want);
  });
});
