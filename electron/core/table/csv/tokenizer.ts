/**
 * An RFC 4180 tokenizer over decoded text chunks, written by hand because the table layer needs what the
 * libraries do not give cheaply together: whether each field was quoted (NULL vs empty string, PostgreSQL
 * COPY's rule), the physical line each record starts on (quoted newlines included), a bound on a field's
 * size (a 100 MB line must not be held in memory), and an error naming the line of an unterminated quote.
 */
export interface CsvRecord {
  fields: string[];
  /** quoted[i]: field i was in quotes ("" is the empty string; an unquoted empty field is NULL). */
  quoted: boolean[];
  /** The 1-based physical line the record starts on. */
  line: number;
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

const enum S {
  FieldStart,
  Unquoted,
  Quoted,
  QuoteInQuoted,
  EscapeInQuoted,
}

export class CsvTokenizer {
  private state = S.FieldStart;
  private field = '';
  private fields: string[] = [];
  private quoted: boolean[] = [];
  private fieldQuoted = false;
  private line = 1;
  private recordLine = 1;
  private quoteLine = 1;
  private lastWasCR = false;
  private recordChars = 0;

  constructor(private readonly o: TokenizerOptions) {}

  /** Records completed by this chunk. */
  push(text: string, out: CsvRecord[] = []): CsvRecord[] {
    const { delimiter: d, quote: q, escape: e, maxField } = this.o;
    const doubled = e === q;
    let start = 0; // start of the pending slice of `text` for the current field (fast path: no per-char concat)
    let i = 0;
    const take = (end: number) => {
      if (end > start) this.field += text.slice(start, end);
      if (this.field.length > maxField) throw new FieldTooLarge(this.recordLine, maxField);
    };
    for (; i < text.length; i++) {
      const c = text[i];
      if (this.lastWasCR) {
        this.lastWasCR = false;
        if (c === '\n' && this.state === S.FieldStart && this.fields.length === 0 && this.field === '') {
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
          if (c === d) {
            take(i);
            this.endField();
            start = i + 1;
          } else if (c === '\n' || c === '\r') {
            take(i);
            this.endRecord(out, c);
            start = i + 1;
          }
          break;
        case S.Quoted:
          if (c === q) {
            take(i);
            this.state = doubled ? S.QuoteInQuoted : S.Unquoted;
            start = i + 1;
          } else if (!doubled && c === e) {
            take(i);
            this.state = S.EscapeInQuoted;
            start = i + 1;
          } else if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) {
            this.line++;
          }
          break;
        case S.EscapeInQuoted:
          this.state = S.Quoted;
          break;
        case S.QuoteInQuoted:
          if (c === q) {
            this.field += q; // a doubled quote
            this.state = S.Quoted;
            start = i + 1;
          } else if (c === d) {
            this.endField();
            start = i + 1;
          } else if (c === '\n' || c === '\r') {
            this.endRecord(out, c);
            start = i + 1;
          } else {
            // Text after a closing quote ("ab"c): kept, as most readers do.
            this.state = S.Unquoted;
            start = i;
          }
          break;
      }
    }
    if (this.state === S.Unquoted || this.state === S.Quoted) take(i);
    return out;
  }

  /** The last record of a file without a final newline; throws on an unterminated quote. */
  end(out: CsvRecord[] = []): CsvRecord[] {
    if (this.state === S.Quoted || this.state === S.EscapeInQuoted) throw new UnterminatedQuote(this.quoteLine);
    if (this.fields.length > 0 || this.field !== '' || this.fieldQuoted || this.state !== S.FieldStart) this.endRecord(out, '');
    return out;
  }

  get currentLine(): number {
    return this.line;
  }

  private endField(): void {
    this.recordChars += this.field.length;
    // Many small fields on one endless line are bounded too, not only one huge field.
    if (this.recordChars > this.o.maxField * 4) throw new FieldTooLarge(this.recordLine, this.o.maxField * 4);
    this.fields.push(this.field);
    this.quoted.push(this.fieldQuoted);
    this.field = '';
    this.fieldQuoted = false;
    this.state = S.FieldStart;
  }

  private endRecord(out: CsvRecord[], nl: string): void {
    this.endField();
    // A blank line is no record (as in PostgreSQL and DuckDB).
    if (!(this.fields.length === 1 && this.fields[0] === '' && !this.quoted[0])) out.push({ fields: this.fields, quoted: this.quoted, line: this.recordLine });
    this.fields = [];
    this.quoted = [];
    this.recordChars = 0;
    if (nl === '\r') this.lastWasCR = true;
    if (nl) this.line++;
    this.recordLine = this.line;
  }
}
