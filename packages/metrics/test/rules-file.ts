import { readFileSync } from 'node:fs';

/**
 * Reads the subset of YAML our rule file is written in (no YAML dependency in the workspace): list
 * items `- alert:` / `- record:`, scalar keys, `|` block scalars and one-level maps (labels, annotations).
 * promtool is the real parser; this only lets tests look at what promtool accepted.
 */
export interface RuleEntry {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

function unquote(raw: string): string {
  const value = raw.trim();
  if (value.startsWith('"')) return JSON.parse(value) as string;
  if (value.startsWith("'")) return value.slice(1, -1).replace(/''/g, "'");
  return value;
}

const indentOf = (line: string) => line.length - line.trimStart().length;

export function readRules(path: string): RuleEntry[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const rules: RuleEntry[] = [];
  let i = 0;
  while (i < lines.length) {
    const start = /^(\s*)- (alert|record): (.+)$/.exec(lines[i] ?? '');
    if (!start) {
      i += 1;
      continue;
    }
    const indent = (start[1] ?? '').length + 2;
    const rule: RuleEntry = { expr: '', labels: {}, annotations: {} };
    rule[start[2] as 'alert' | 'record'] = unquote(start[3] ?? '');
    i += 1;
    while (i < lines.length) {
      const line = lines[i] ?? '';
      if (line.trim() === '' || line.trim().startsWith('#')) {
        i += 1;
        continue;
      }
      if (indentOf(line) < indent) break;
      const entry = /^\s*([a-z_]+):\s*(.*)$/.exec(line);
      if (!entry) throw new Error(`cannot read rule line: ${line}`);
      const key = entry[1] ?? '';
      const rest = entry[2] ?? '';
      i += 1;
      const block: string[] = [];
      while (i < lines.length && (lines[i]?.trim() === '' || indentOf(lines[i] ?? '') > indent)) {
        block.push(lines[i] ?? '');
        i += 1;
      }
      if (key === 'labels' || key === 'annotations') {
        for (const pair of block) {
          const kv = /^\s*([a-zA-Z_]+):\s*(.*)$/.exec(pair);
          if (kv) rule[key][kv[1] ?? ''] = unquote(kv[2] ?? '');
        }
      } else if (key === 'expr') {
        rule.expr =
          rest === '|'
            ? block
                .map((l) => l.trim())
                .join('\n')
                .trim()
            : unquote(rest);
      } else if (key === 'for') {
        rule.for = unquote(rest);
      }
    }
    rules.push(rule);
  }
  return rules;
}
