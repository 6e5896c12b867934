/**
 * An RFC 4180 tokenizer over decoded text chunks, written by hand because the table layer needs what the
 * libraries do not give cheaply together: whether each field was quoted (NULL vs empty string, PostgreSQL
 * COPY's rule), the physical line each record starts on (quoted newlines included), a bound on a field's
 * size (a 100 MB line must not be held in memory), and an error naming the line of an unterminated quote.
 *
 * It hands fields to a FieldSink as they end, as a range of the chunk's text where the field lies whole
 * in it unquoted (most fields): the CSV reader parses numbers and dates from that range, so a field that
 * becomes a number never becomes a string, and no record is built. push() builds CsvRecords (the sniffer's).
 */
export interface CsvRecord {
  fields: string[];
  /** quoted[i]: field i was in quotes ("" is the empty string; an unquoted empty field is NULL). */
  quoted: boolean[];
  /** The 1-based physical line the record starts on. */
  line: number;
}

export interface FieldSink {
  /** The record's next field is text[start, end) (or all of `text`, for a field that was quoted or spanned chunks). */
  field(text: string, start: number, end: number, quoted: boolean): void;
  /** The record that began on `line` ended after `fields` fields. A blank line is no record (as in PostgreSQL and DuckDB). */
  record(line: number, fields: number): void;
}

export interface TokenizerOptions {
  delimiter: string;
  quote: string;
  /** The quote itself for doubled quotes (RFC 4180), or another character such as '\\'. */
  escape: string;
  /** Largest field in characters before the read stops with an error naming the line. */
  maxField: number;
}

export class FieldTooLarge extends Error {
  constructor(readonly line: number, readonly limit: number) {
    super(`a field longer than ${limit} characters starts on line ${line}`);
  }
}

export class UnterminatedQuote extends Error {
  constructor(readonly line: number) {
    super(`a quoted field opened on line ${line} is never closed`);
  }
}

const LF = 10;
const CR = 13;

const enum S {
  FieldStart,
  Unquoted,
  Quoted,
  QuoteInQuoted,
  EscapeInQuoted,
}

export class CsvTokenizer {
  private state = S.FieldStart;
  /** The current field's text so far, when it was quoted or spans chunks; else '' and the field is a range. */
  private field = '';
  private fieldIndex = 0;
  private fieldQuoted = false;
  private line = 1;
  private startLine = 1;
  private quoteLine = 1;
  private lastWasCR = false;
  private recordChars = 0;
  private sink: FieldSink = NO_SINK;

  constructor(private readonly o: TokenizerOptions) {}

  /** Records completed by this chunk, as CsvRecords. */
  push(text: string, out: CsvRecord[] = []): CsvRecord[] {
    this.feed(text, this.recordsInto(out));
    return out;
  }

  /** A record's fields stay with the tokenizer between chunks: a record may span them. */
  private builder: RecordSink | null = null;

  private recordsInto(out: CsvRecord[]): RecordSink {
    this.builder ??= new RecordSink();
    this.builder.out = out;
    return this.builder;
  }

  /** Hands the fields and records this chunk completes to `sink` (one sink per tokenizer and call). */
  feed(text: string, sink: FieldSink): void {
    this.sink = sink;
    // On character codes, with tight scans to the next delimiter, line break or quote: this loop is the
    // CSV reader's hottest (one pass over every character of the file).
    const d = this.o.delimiter.charCodeAt(0);
    const q = this.o.quote.charCodeAt(0);
    const e = this.o.escape.charCodeAt(0);
    const doubled = e === q;
    const n = text.length;
    let start = 0; // start of the pending slice of `text` for the current field (no per-char concat)
    for (let i = 0; i < n; i++) {
      let c = text.charCodeAt(i);
      if (this.lastWasCR) {
        this.lastWasCR = false;
        if (c === LF && this.state === S.FieldStart && this.fieldIndex === 0 && this.field === '') {
          start = i + 1;
          continue; // the LF of a CRLF that ended the record
        }
      }
      switch (this.state) {
        case S.FieldStart:
          if (c === q) {
            this.state = S.Quoted;
            this.fieldQuoted = true;
            this.quoteLine = this.line;
            start = i + 1;
            break;
          }
          this.state = S.Unquoted;
          start = i;
        // falls through
        case S.Unquoted:
          while (c !== d && c !== LF && c !== CR) {
            if (++i === n) break;
            c = text.charCodeAt(i);
          }
          if (i === n) break; // the field goes on in the next chunk
          if (c === d) this.endField(text, start, i);
          else this.endRecord(text, start, i, c);
          start = i + 1;
          break;
        case S.Quoted:
          while (c !== q && (doubled || c !== e)) {
            if (c === LF || (c === CR && text.charCodeAt(i + 1) !== LF)) this.line++;
            if (++i === n) break;
            c = text.charCodeAt(i);
          }
          if (i === n) break;
          this.take(text, start, i);
          this.state = c === q ? (doubled ? S.QuoteInQuoted : S.Unquoted) : S.EscapeInQuoted;
          start = i + 1;
          break;
        case S.EscapeInQuoted:
          this.state = S.Quoted;
          break;
        case S.QuoteInQuoted:
          if (c === q) {
            this.field += this.o.quote; // a doubled quote
            this.state = S.Quoted;
            start = i + 1;
          } else if (c === d) {
            this.endField(text, i, i);
            start = i + 1;
          } else if (c === LF || c === CR) {
            this.endRecord(text, i, i, c);
            start = i + 1;
          } else {
            // Text after a closing quote ("ab"c): kept, as most readers do.
            this.state = S.Unquoted;
            start = i;
          }
          break;
      }
    }
    if (this.state === S.Unquoted || this.state === S.Quoted) this.take(text, start, n);
    this.sink = NO_SINK;
  }

  /** Adds text[start, end) to the current field, within the size bound. */
  private take(text: string, start: number, end: number): void {
    if (end > start) this.field = this.field === '' ? text.slice(start, end) : this.field + text.slice(start, end);
    if (this.field.length > this.o.maxField) throw new FieldTooLarge(this.startLine, this.o.maxField);
  }

  /** The last record of a file without a final newline; throws on an unterminated quote. */
  end(sink: FieldSink): void;
  end(out?: CsvRecord[]): CsvRecord[];
  end(to: FieldSink | CsvRecord[] = []): CsvRecord[] | void {
    if (this.state === S.Quoted || this.state === S.EscapeInQuoted) throw new UnterminatedQuote(this.quoteLine);
    const pending = this.fieldIndex > 0 || this.field !== '' || this.fieldQuoted || this.state !== S.FieldStart;
    if (pending) this.feedEnd(Array.isArray(to) ? this.recordsInto(to) : to);
    if (Array.isArray(to)) return to;
  }

  private feedEnd(sink: FieldSink): void {
    this.sink = sink;
    this.endRecord('', 0, 0, 0);
    this.sink = NO_SINK;
  }

  get currentLine(): number {
    return this.line;
  }

  /** The line the record being read began on. */
  get recordLine(): number {
    return this.startLine;
  }

  /** Ends the current field: what was taken of it, then text[start, end). */
  private endField(text: string, start: number, end: number): void {
    const quoted = this.fieldQuoted;
    let len: number;
    if (this.field === '') {
      len = end - start;
      if (len > this.o.maxField) throw new FieldTooLarge(this.startLine, this.o.maxField);
      this.sink.field(text, start, end, quoted);
    } else {
      this.take(text, start, end);
      const f = this.field;
      len = f.length;
      this.field = '';
      this.sink.field(f, 0, len, quoted);
    }
    this.recordChars += len;
    // Many small fields on one endless line are bounded too, not only one huge field.
    if (this.recordChars > this.o.maxField * 4) throw new FieldTooLarge(this.startLine, this.o.maxField * 4);
    this.fieldIndex++;
    this.fieldQuoted = false;
    this.state = S.FieldStart;
  }

  /** nl: the line break's character code (CR or LF), or 0 at the end of the file. */
  private endRecord(text: string, start: number, end: number, nl: number): void {
    // A blank line (one empty unquoted field) is no record.
    if (this.fieldIndex > 0 || end > start || this.field !== '' || this.fieldQuoted) {
      this.endField(text, start, end);
      this.sink.record(this.startLine, this.fieldIndex);
    }
    this.state = S.FieldStart;
    this.fieldIndex = 0;
    this.recordChars = 0;
    if (nl === CR) this.lastWasCR = true;
    if (nl) this.line++;
    this.startLine = this.line;
  }
}

/** Builds CsvRecords into `out`. */
class RecordSink implements FieldSink {
  out: CsvRecord[] = [];
  private fields: string[] = [];
  private quoted: boolean[] = [];

  field(t: string, s: number, e: number, q: boolean): void {
    this.fields.push(s === 0 && e === t.length ? t : t.slice(s, e));
    this.quoted.push(q);
  }

  record(line: number): void {
    this.out.push({ fields: this.fields, quoted: this.quoted, line });
    this.fields = [];
    this.quoted = [];
  }
}

const NO_SINK: FieldSink = {
  field() {},
  record() {},
};
