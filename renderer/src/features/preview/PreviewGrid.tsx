import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { gridRowCount, pageOf, rowAt, type PageCacheState } from './page-cache';
import classes from './Preview.module.css';
import { cellText, columnWidths, isNumericType, rowNumberWidth, type Column, type MeasureText } from './table-view';

const ROW = 26;
const HEADER = 46;

interface Props {
  columns: readonly Column[];
  cache: PageCacheState;
  loadingPages: ReadonlySet<number>;
  /** Pages that failed: their rows say so instead of loading for ever. */
  failedPages: ReadonlySet<number>;
  /** The rows on screen changed: fetch their pages. */
  onRange: (first: number, last: number) => void;
}

/**
 * The preview's grid, virtualized both ways: only the rows and columns on screen exist in the DOM, so a
 * million rows of 300 columns scroll like ten. The header (name, type under it) sticks to the top, the row
 * numbers to the left. A row whose page has not arrived shows a placeholder until it does.
 */
export function PreviewGrid({ columns, cache, loadingPages, failedPages, onRange }: Props) {
  const scrollRef = useRef<HTMLDivElement>(null);
  // The element once mounted, so widths are measured again in its font (the first render has no element yet).
  const [el, setEl] = useState<HTMLDivElement | null>(null);
  const setRef = useCallback((node: HTMLDivElement | null) => {
    scrollRef.current = node;
    setEl(node);
  }, []);
  const count = gridRowCount(cache);
  const firstRows = cache.pages.get(0)?.rows;
  const widths = useMemo(() => columnWidths(columns, firstRows ?? [], canvasMeasure(el)), [columns, firstRows, el]);
  const numeric = useMemo(() => columns.map((c) => isNumericType(c.type)), [columns]);
  const numberWidth = rowNumberWidth(cache.rowCount ?? count);

  const rows = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW,
    overscan: 16,
    scrollMargin: HEADER,
  });
  const cols = useVirtualizer({
    horizontal: true,
    count: columns.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => widths[i] ?? 120,
    overscan: 3,
    scrollMargin: numberWidth,
  });
  useEffect(() => cols.measure(), [widths, numberWidth, cols]);

  const rowItems = rows.getVirtualItems();
  const colItems = cols.getVirtualItems();
  const first = rowItems[0]?.index ?? 0;
  const last = rowItems[rowItems.length - 1]?.index ?? 0;
  useEffect(() => onRange(first, last), [first, last, count, onRange]);

  const width = numberWidth + cols.getTotalSize();
  const known = cache.rowCount !== null || cache.endKnown;

  return (
    <div
      ref={setRef}
      className={classes.grid}
      tabIndex={0}
      role="grid"
      aria-rowcount={known ? count : -1}
      aria-colcount={columns.length}
      data-testid="preview-grid"
      data-rows={count}
    >
      <div className={classes.header} style={{ width }} role="row" data-testid="preview-header">
        <div className={classes.corner} style={{ width: numberWidth }}>
          #
        </div>
        {colItems.map((c) => {
          const col = columns[c.index];
          return (
            <div
              key={c.index}
              className={classes.headerCell}
              style={{ left: c.start, width: c.size }}
              role="columnheader"
              title={`${col.name} · ${col.type}`}
              data-testid={`preview-col-${c.index}`}
              data-name={col.name}
              data-type={col.type}
              data-numeric={numeric[c.index] || undefined}
            >
              <span className={classes.colName} data-testid="preview-col-name">
                {col.name === '' ? '\u00a0' : col.name}
              </span>
              <span className={classes.colType} data-testid="preview-col-type">
                {col.type}
              </span>
            </div>
          );
        })}
      </div>
      <div className={classes.rows} style={{ height: rows.getTotalSize(), width }}>
        {rowItems.map((r) => {
          const values = rowAt(cache, r.index);
          const page = pageOf(r.index);
          return (
            <GridRow
              key={r.index}
              index={r.index}
              top={r.start - HEADER}
              width={width}
              numberWidth={numberWidth}
              values={values}
              colItems={colItems}
              numeric={numeric}
              state={values ? 'ready' : failedPages.has(page) ? 'failed' : loadingPages.has(page) || !known ? 'loading' : 'waiting'}
              // Re-render a row when the visible columns change (horizontal scroll).
              colKey={`${colItems[0]?.index ?? 0}-${colItems.length}-${width}`}
            />
          );
        })}
      </div>
      {columns.length === 0 && <div className={classes.empty}>This file has no columns.</div>}
      {columns.length > 0 && known && count === 0 && <div className={classes.empty}>No rows: the file has only its header.</div>}
    </div>
  );
}

interface RowProps {
  index: number;
  top: number;
  width: number;
  numberWidth: number;
  values: unknown[] | undefined;
  colItems: { index: number; start: number; size: number }[];
  numeric: boolean[];
  state: 'ready' | 'loading' | 'waiting' | 'failed';
  colKey: string;
}

const GridRow = memo(
  function GridRow({ index, top, width, numberWidth, values, colItems, numeric, state }: RowProps) {
    return (
      <div
        className={classes.row}
        style={{ transform: `translateY(${top}px)`, width }}
        role="row"
        aria-rowindex={index + 1}
        data-testid={`preview-row-${index}`}
        data-index={index}
        data-loading={state === 'loading' || state === 'waiting' || undefined}
      >
        <div className={classes.rowNumber} style={{ width: numberWidth }} role="rowheader">
          {(index + 1).toLocaleString()}
        </div>
        {values
          ? colItems.map((c) => {
              const text = cellText(values[c.index]);
              return (
                <div
                  key={c.index}
                  className={classes.cell}
                  style={{ left: c.start, width: c.size }}
                  role="gridcell"
                  title={text !== null && text.length > 12 ? text : undefined}
                  data-testid={`preview-cell-${index}-${c.index}`}
                  data-null={text === null || undefined}
                  data-empty={text === '' || undefined}
                  data-numeric={numeric[c.index] || undefined}
                >
                  {text === null ? <span className={classes.null}>NULL</span> : text}
                </div>
              );
            })
          : state === 'failed'
            ? <div className={classes.placeholder} style={{ left: numberWidth }}>could not be read (see above)</div>
            : colItems.map((c) => (
                <div key={c.index} className={classes.cell} style={{ left: c.start, width: c.size }}>
                  <span className={classes.skeleton} />
                </div>
              ))}
      </div>
    );
  },
  (a, b) => a.index === b.index && a.top === b.top && a.values === b.values && a.state === b.state && a.colKey === b.colKey && a.numeric === b.numeric,
);

let canvas: HTMLCanvasElement | null = null;

/** Measures text in the grid's own font (a canvas, no layout), so columns fit their values. */
function canvasMeasure(el: HTMLElement | null): MeasureText | undefined {
  if (!el) return undefined;
  canvas ??= document.createElement('canvas');
  const ctx = canvas.getContext('2d');
  if (!ctx) return undefined;
  const style = getComputedStyle(el);
  const font = `${style.fontSize} ${style.fontFamily}`;
  return (text, bold) => {
    ctx.font = bold ? `600 ${font}` : font;
    return ctx.measureText(text).width;
  };
}
