import { listSavedQueries, renderSavedQuery } from '../../../infra/queries';
import { TRINO_MACROS } from '../../../scripts/cli/audit';

/**
 * The same files run on Athena (Trino) and DuckDB. There is no Trino here, so
 * this keeps the SQL inside a vocabulary checked by hand against both
 * engines' function lists: a new function must be added here on purpose.
 */
const FUNCTIONS_IN_BOTH = new Set(['count', 'starts_with', 'substr', 'length', 'cast', 'coalesce', 'lower', 'upper', 'min', 'max', 'sum']);
/** Trino functions DuckDB lacks, given to DuckDB as macros by the query tool. */
const VIA_MACRO = new Set(TRINO_MACROS.map((m) => /MACRO\s+([a-z_]+)\(/.exec(m)![1]));
const KEYWORDS = new Set(['and', 'or', 'in', 'not', 'exists', 'from', 'as', 'over', 'values', 'on', 'using', 'where', 'select']);

function strip(sql: string): string {
  return sql
    .split('\n')
    .map((l) => l.replace(/--.*$/, ''))
    .join('\n')
    .replace(/'(?:[^']|'')*'/g, "''");
}

describe('saved queries stay in SQL both Athena and DuckDB accept', () => {
  const queries = listSavedQueries();

  it.each(queries.map((q) => [q.name, q]))('%s uses only shared functions and syntax', (_name, q) => {
    const sql = strip(renderSavedQuery(q));
    const calls = [...sql.matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)\s*\(/g)].map((m) => m[1].toLowerCase());
    const unknown = calls.filter((f) => !FUNCTIONS_IN_BOTH.has(f) && !VIA_MACRO.has(f) && !KEYWORDS.has(f));
    expect(unknown).toEqual([]);
    // DuckDB-only syntax Trino rejects
    expect(sql).not.toMatch(/::|\bILIKE\b|\bQUALIFY\b|\bEXCLUDE\b|\bREPLACE\s*\(|"[^"]*"\s*\(|\bSTRFTIME\b|\bEPOCH_MS\b|\bLIST_/i);
    // Trino has no `==`, no backtick identifiers, no double-quoted strings
    expect(sql).not.toMatch(/==|`/);
    // Time-bounded queries must also bound the partitions.
    if (/\bts\s*>=/.test(sql)) expect(sql).toMatch(/\bdt\s*(>=|BETWEEN)/);
    expect(sql).toMatch(/\bFROM audit\b/);
  });

  it('the DuckDB macros mirror Trino names', () => {
    expect([...VIA_MACRO].sort()).toEqual(['from_unixtime', 'to_unixtime']);
  });
});
