import type { ApiHandlers } from '../../../shared/api';
import { normalizePath } from '../../../shared/paths';
import type { EndpointProvider } from '../endpoints';
import { FerryError } from '../errors';
import { typeName } from '../table/values';
import { withConnector } from './fs-handlers';

type TableHandlers = Pick<ApiHandlers, 'table.describe'>;

/** What the app asks a database about one table: its columns for the pane's details view. */
export function tableHandlers(endpoints: EndpointProvider): TableHandlers {
  return {
    'table.describe': ({ endpoint, path }) =>
      withConnector(endpoints, endpoint, async (c) => {
        if (!c.tables) throw new FerryError('INVALID_INPUT', `${endpoints.label(endpoint)} is not a database: only a table has columns to describe`);
        const info = await c.tables.describe(normalizePath(path));
        return { ...info, columns: info.columns.map((col) => ({ name: col.name, type: typeName(col.type), dbType: col.dbType, nullable: col.nullable, key: col.key })) };
      }),
  };
}
