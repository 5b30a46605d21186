import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Saved audit queries, one `.sql` file each, shared by the Athena named
 * queries (infra) and the local DuckDB tool. A file starts with comment
 * headers:
 *
 *   -- description: Denied decisions in the last 24 hours
 *   -- param: ip = 203.0.113.10
 *
 * and refers to a parameter as `{{ip}}`, which is replaced by a quoted SQL
 * string literal. Athena named queries cannot take parameters, so they are
 * saved with the defaults filled in for the analyst to edit.
 */
export interface SavedQuery {
  name: string;
  description: string;
  params: Record<string, string>;
  template: string;
}

export const QUERIES_DIR = __dirname;

const PARAM_RE = /\{\{([a-z_][a-z0-9_]*)\}\}/g;

export function parseSavedQuery(name: string, text: string): SavedQuery {
  let description = '';
  const params: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const d = /^--\s*description:\s*(.+)$/.exec(line);
    if (d) description = d[1].trim();
    const p = /^--\s*param:\s*([a-z_][a-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (p) params[p[1]] = p[2].trim();
  }
  if (!description) throw new Error(`${name}.sql: missing "-- description:" header`);
  for (const m of text.matchAll(PARAM_RE)) {
    if (!(m[1] in params)) throw new Error(`${name}.sql: {{${m[1]}}} has no "-- param: ${m[1]} = ..." default`);
  }
  return { name, description, params, template: text };
}

export function listSavedQueries(dir: string = QUERIES_DIR): SavedQuery[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => parseSavedQuery(f.slice(0, -4), readFileSync(join(dir, f), 'utf8')));
}

function sqlString(v: string): string {
  return `'${v.replace(/'/g, "''")}'`;
}

/** The SQL with every `{{p}}` replaced by a quoted literal of the given or default value. */
export function renderSavedQuery(q: SavedQuery, given: Record<string, string> = {}): string {
  for (const k of Object.keys(given)) {
    if (!(k in q.params)) throw new Error(`query ${q.name} has no parameter "${k}" (it takes: ${Object.keys(q.params).join(', ') || 'none'})`);
  }
  return q.template.replace(PARAM_RE, (_, p: string) => sqlString(given[p] ?? q.params[p]));
}
