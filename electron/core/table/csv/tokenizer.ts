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
        if (c === LF && this.state === S.FieldStart && this.fields.length === 0 && this.field === '') {
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
          this.take(text, start, i);
          if (c === d) this.endField();
          else this.endRecord(out, c);
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
            this.endField();
            start = i + 1;
          } else if (c === LF || c === CR) {
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
    if (this.state === S.Unquoted || this.state === S.Quoted) this.take(text, start, n);
    return out;
  }

  /** Adds text[start, end) to the current field, within the size bound. */
  private take(text: string, start: number, end: number): void {
    if (end > start) this.field = this.field === '' ? text.slice(start, end) : this.field + text.slice(start, end);
    if (this.field.length > this.o.maxField) throw new FieldTooLarge(this.recordLine, this.o.maxField);
  }

  /** The last record of a file without a final newline; throws on an unterminated quote. */
  end(out: CsvRecord[] = []): CsvRecord[] {
    if (this.state === S.Quoted || this.state === S.EscapeInQuoted) throw new UnterminatedQuote(this.quoteLine);
    if (this.fields.length > 0 || this.field !== '' || this.fieldQuoted || this.state !== S.FieldStart) this.endRecord(out, 0);
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

  /** nl: the line break's character code (CR or LF), or 0 at the end of the file. */
  private endRecord(out: CsvRecord[], nl: number): void {
    this.endField();
    // A blank line is no record (as in PostgreSQL and DuckDB).
    if (!(this.fields.length === 1 && this.fields[0] === '' && !this.quoted[0])) out.push({ fields: this.fields, quoted: this.quoted, line: this.recordLine });
    this.fields = [];
    this.quoted = [];
    this.recordChars = 0;
    if (nl === CR) this.lastWasCR = true;
    if (nl) this.line++;
    this.recordLine = this.line;
  }
}
