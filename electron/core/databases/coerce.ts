import type { LogicalType, Value } from '../table/types';
import { convertUnit, parseDate, parseDecimal, parseTime, parseTimestamp, typeName, valueToText } from '../table/values';

/**
 * A value of one logical type as a value of another, exactly or not at all: how a load puts a file's
 * column into a table column of a different type ("42" into an integer, an int64 into a decimal). A
 * value that does not fit throws a NotConvertible naming the value and the type; nothing is rounded,
 * clamped or guessed. The same kind (and parameters) passes through untouched.
 */
export type Coerce = (v: Value) => Value;

export class NotConvertible extends Error {}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const BOOLEAN_TEXT: Record<string, boolean> = { true: true, false: false, t: true, f: false, '1': true, '0': false, yes: true, no: false };

export function coercion(from: LogicalType, to: LogicalType): Coerce {
  if (sameType(from, to)) return (v) => v;
  if (from.kind === 'int32' && to.kind === 'int64') return (v) => (v === null ? null : BigInt(v as number));
  if (from.kind === 'int64' && to.kind === 'float64') {
    // Only integers a double holds exactly (|v| ≤ 2^53, or a power-of-two multiple that survives the trip).
    return (v) => (v === null ? null : BigInt(Number(v)) === v ? Number(v) : refusedValue(v, from, to));
  }
  if (from.kind === 'timestamp' && to.kind === 'timestamp' && from.tz === to.tz) {
    // A finer unit into a coarser one only when nothing is cut off.
    return (v) => {
      if (v === null) return null;
      const out = convertUnit(v as bigint, from.unit, to.unit);
      if (convertUnit(out, to.unit, from.unit) !== v) throw refused(v, from, to);
      return out;
    };
  }
  const parse = fromText(to);
  return (v) => {
    if (v === null) return null;
    const text = valueToText(v, from)!;
    const out = parse(text);
    if (out === undefined) throw refused(v, from, to);
    return out;
  };
}

function refusedValue(v: Value, from: LogicalType, to: LogicalType): never {
  throw refused(v, from, to);
}

function refused(v: Value, from: LogicalType, to: LogicalType): NotConvertible {
  const text = valueToText(v, from) ?? '';
  const shown = text.length > 60 ? `${text.slice(0, 60)}…` : text;
  const name = typeName(to);
  return new NotConvertible(`${JSON.stringify(shown)} is not ${/^[aeiou]/.test(name) ? 'an' : 'a'} ${name}`);
}

function sameType(a: LogicalType, b: LogicalType): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'decimal' && b.kind === 'decimal') return a.scale === b.scale && a.precision <= b.precision;
  if (a.kind === 'time' && b.kind === 'time') return a.unit === b.unit;
  if (a.kind === 'timestamp' && b.kind === 'timestamp') return a.unit === b.unit && a.tz === b.tz;
  if (a.kind === 'list' || a.kind === 'struct') return typeName(a) === typeName(b);
  return true;
}

/** The parser of a type's canonical text (values.ts's valueToText); undefined when the text is not one. */
function fromText(t: LogicalType): (text: string) => Value | undefined {
  switch (t.kind) {
    case 'boolean':
      return (s) => BOOLEAN_TEXT[s.trim().toLowerCase()];
    case 'int32':
      return (s) => {
        if (!/^[+-]?\d+$/.test(s.trim())) return undefined;
        const n = Number(s);
        return n >= -2147483648 && n <= 2147483647 ? n : undefined;
      };
    case 'int64':
      return (s) => {
        if (!/^[+-]?\d+$/.test(s.trim())) return undefined;
        const n = BigInt(s.trim());
        return n >= INT64_MIN && n <= INT64_MAX ? n : undefined;
      };
    case 'decimal':
      return (s) => parseDecimal(s, t.precision, t.scale) ?? undefined;
    case 'float64':
      return (s) => {
        const x = s.trim();
        if (x === 'NaN') return NaN;
        if (x === 'Infinity' || x === 'inf') return Infinity;
        if (x === '-Infinity' || x === '-inf') return -Infinity;
        return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(x) ? Number(x) : undefined;
      };
    case 'string':
    case 'json':
      return (s) => s;
    case 'binary':
      return (s) => (/^\\x([0-9a-f]{2})*$/i.test(s) ? new Uint8Array(Buffer.from(s.slice(2), 'hex')) : new Uint8Array(Buffer.from(s, 'utf8')));
    case 'date':
      return (s) => parseDate(s.trim()) ?? undefined;
    case 'time':
      return (s) => parseTime(s.trim(), t.unit) ?? undefined;
    case 'timestamp':
      return (s) => {
        const p = parseTimestamp(s, t.unit);
        // A wall-clock time is not an instant: into a UTC column only with its offset, and an offset is not dropped into a zone-less one.
        if (!p || p.hasOffset !== (t.tz === 'UTC')) return undefined;
        return p.value;
      };
    case 'list':
    case 'struct':
      return () => undefined;
  }
}
