import { Autocomplete, Badge, Checkbox, Text, TextInput } from '@mantine/core';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, type CSSProperties } from 'react';
import type { LoadPlan } from '../../../../shared/table';
import classes from './Databases.module.css';
import { CAST_TYPES, type MappingRow } from './load-model';

const ROW_HEIGHT = 40;
const HEADER_HEIGHT = 32;
/** Rows shown before the grid scrolls. */
const VISIBLE_ROWS = 8;

const STATUS_COLORS = { load: 'green', extra: 'red', missing: 'yellow', skipped: 'gray' } as const;
const STATUS_LABELS = { load: 'loads', extra: 'not in the table', missing: 'no source', skipped: 'left out' } as const;

type Mapping = LoadPlan['mapping'][number];

interface Props {
  rows: readonly MappingRow[];
  /** The dry run's pairing (status, database type), when there is one. */
  mapping: LoadPlan['mapping'] | null;
  onChange: (index: number, patch: Partial<MappingRow>) => void;
}

/**
 * The mapping step: each source column with its inferred type, kept or left out, renamed, cast, its NULLs
 * filled; and how the dry run paired it with the table (target columns no source fills are listed last).
 * Virtualized: only the rows on screen exist, so a file of 1,000 columns stays quick to edit.
 */
export function MappingTable({ rows, mapping, onChange }: Props) {
  const bySource = new Map((mapping ?? []).filter((m) => m.source !== null).map((m) => [m.source as string, m]));
  const unfilled = (mapping ?? []).filter((m) => m.source === null);
  const count = rows.length + unfilled.length;
  const scrollRef = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 6 });
  const height = HEADER_HEIGHT + Math.min(Math.max(count, 1), VISIBLE_ROWS) * ROW_HEIGHT + 2;
  return (
    <div ref={scrollRef} className={classes.mapping} style={{ height }} role="table" data-testid="load-mapping" data-rows={count}>
      <div className={`${classes.mapRow} ${classes.mapHeader}`} role="row">
        {['Load', 'File column', 'Inferred', 'Table column', 'Cast to', 'NULL becomes', 'In the table'].map((h) => (
          <div key={h} role="columnheader" className={classes.mapCell}>
            {h}
          </div>
        ))}
      </div>
      <div className={classes.mapBody} style={{ height: v.getTotalSize() }}>
        {v.getVirtualItems().map((item) => {
          const style = { transform: `translateY(${item.start}px)`, height: ROW_HEIGHT };
          if (item.index >= rows.length) return <UnfilledRow key={`target-${item.index}`} m={unfilled[item.index - rows.length]} style={style} />;
          const r = rows[item.index];
          return <SourceRow key={r.source} r={r} m={bySource.get(r.source)} style={style} onChange={(patch) => onChange(item.index, patch)} />;
        })}
      </div>
    </div>
  );
}

function SourceRow({ r, m, style, onChange }: { r: MappingRow; m: Mapping | undefined; style: CSSProperties; onChange: (patch: Partial<MappingRow>) => void }) {
  return (
    <div className={classes.mapRow} style={style} role="row" data-testid={`load-col-${r.source}`} data-status={m?.status}>
      <Checkbox aria-label={`Load ${r.source}`} checked={r.include} onChange={(e) => onChange({ include: e.currentTarget.checked })} data-testid="load-col-include" />
      <Text size="sm" ff="monospace" className={classes.mapCell} title={r.source}>
        {r.source}
      </Text>
      <Text size="xs" c="dimmed" className={classes.mapCell} data-testid="load-col-inferred">
        {r.inferred}
      </Text>
      <TextInput size="xs" aria-label={`Table column for ${r.source}`} disabled={!r.include} value={r.target} onChange={(e) => onChange({ target: e.currentTarget.value })} data-testid="load-col-target" />
      <Autocomplete
        size="xs"
        aria-label={`Cast ${r.source} to`}
        disabled={!r.include}
        placeholder="as inferred"
        data={CAST_TYPES}
        value={r.cast}
        onChange={(cast) => onChange({ cast })}
        data-testid="load-col-cast"
      />
      <TextInput size="xs" aria-label={`NULL of ${r.source} becomes`} disabled={!r.include} placeholder="NULL" value={r.fill} onChange={(e) => onChange({ fill: e.currentTarget.value })} data-testid="load-col-fill" />
      <div className={classes.mapCell}>{m && <PairedAs status={m.status} dbType={m.dbType} />}</div>
    </div>
  );
}

/** A table column no source column fills (NULL or its default). */
function UnfilledRow({ m, style }: { m: Mapping; style: CSSProperties }) {
  return (
    <div className={classes.mapRow} style={style} role="row" data-testid={`load-target-${m.target}`} data-status={m.status}>
      <span />
      <Text size="xs" c="dimmed">
        (none)
      </Text>
      <span />
      <Text size="sm" ff="monospace" className={classes.mapCell}>
        {m.target}
      </Text>
      <span />
      <span />
      <div className={classes.mapCell}>
        <PairedAs status={m.status} dbType={m.dbType} />
      </div>
    </div>
  );
}

function PairedAs({ status, dbType }: { status: Mapping['status']; dbType: string | null }) {
  return (
    <>
      <Badge size="xs" variant="light" color={STATUS_COLORS[status]} data-testid="load-col-status">
        {STATUS_LABELS[status]}
      </Badge>{' '}
      {dbType && (
        <Text span size="xs" ff="monospace" data-testid="load-col-dbtype">
          {dbType}
        </Text>
      )}
    </>
  );
}
