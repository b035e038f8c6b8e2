import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The repository's own documentation is the only thing code, tests and READMEs may cite: a citation
 * names a section of docs/protocol.md ("protocol" + section sign + "3.8") or docs/architecture.md
 * ("architecture" + section sign + "4.3"), and that section must exist. Citations of documents that
 * are not in the repository (the old reading notes and design) must not come back. Markdown links
 * must lead somewhere: an existing file and, with an anchor, an existing heading.
 *
 * The section sign is written as \u00a7 throughout this file so that it does not cite anything itself.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const DOCS = { protocol: 'docs/protocol.md', architecture: 'docs/architecture.md' } as const;
type DocName = keyof typeof DOCS;

const SCANNED = /\.(?:[cm]?[jt]s|md|ya?ml|json)$/;
/** Old forms, each with the reason it is refused. */
const OLD_FORMS: [RegExp, string][] = [
  [/\bnotes\s+\u00a7/i, 'cites the reading notes, which are not in the repository: cite protocol'],
  [/\bdesign\s+\u00a7/i, 'cites the design, which is not in the repository: cite architecture'],
  [/vectrafin-notes\.md/i, 'links the reading notes, which are not in the repository: link docs/protocol.md'],
  [/vectrafin-api\.md/i, "links the provider's documentation, which is not in the repository"],
  [/(?<![\w-])design\.md\b/i, 'links the design, which is not in the repository: link docs/architecture.md'],
];

const SECTION = /\u00a7(\d+(?:\.\d+)*)/g;
const QUALIFIER = /\b(protocol|architecture)\s+\u00a7/gi;
const CHAIN_GAP = /^\s*(?:,|–|-|and|or|&)\s*$/;
const LINK = /\[([^\]]*)\]\(([^)\s]+)\)/g;

function trackedFiles(): string[] {
  const listing = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return listing
    .split('\0')
    .filter((file) => SCANNED.test(file) && !file.endsWith('pnpm-lock.yaml'))
    .filter((file) => existsSync(join(ROOT, file)) && statSync(join(ROOT, file)).isFile());
}

/** GitHub's heading ids: text without tags, lower-case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .replace(/<[^>]*>/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

interface Outline {
  /** Section numbers of the numbered headings ("4", "4.3"). */
  sections: Set<string>;
  /** Every anchor a link may name: explicit `<a id>`s and heading slugs. */
  anchors: Set<string>;
  /** Numbered headings that lack an `<a id>` equal to their number. */
  unanchored: string[];
}

const outlines = new Map<string, Outline>();

function outline(file: string): Outline {
  const known = outlines.get(file);
  if (known) return known;
  const result: Outline = { sections: new Set(), anchors: new Set(), unanchored: [] };
  const slugs = new Map<string, number>();
  let fenced = false;
  for (const line of readFileSync(join(ROOT, file), 'utf8').split('\n')) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    if (fenced) continue;
    for (const match of line.matchAll(/<a id="([^"]+)"><\/a>/g)) result.anchors.add(match[1] ?? '');
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (!heading) continue;
    const text = heading[1] ?? '';
    const base = slug(text);
    const seen = slugs.get(base) ?? 0;
    slugs.set(base, seen + 1);
    result.anchors.add(seen === 0 ? base : `${base}-${seen}`);
    const number = /^(\d+(?:\.\d+)*)\.?\s/.exec(text)?.[1];
    if (number !== undefined) {
      result.sections.add(number);
      if (!text.includes(`<a id="${number}"></a>`)) result.unanchored.push(text);
    }
  }
  outlines.set(file, result);
  return result;
}

/** "3.6" to "3.9" → 3.6, 3.7, 3.8, 3.9; numbers with different prefixes are only their two ends. */
function expandRange(from: string, to: string): string[] {
  const a = from.split('.');
  const b = to.split('.');
  if (a.length !== b.length || a.slice(0, -1).join('.') !== b.slice(0, -1).join('.')) return [from, to];
  const prefix = a.slice(0, -1);
  const first = Number(a.at(-1));
  const last = Number(b.at(-1));
  if (!(first < last)) return [from, to];
  return Array.from({ length: last - first + 1 }, (_, i) => [...prefix, String(first + i)].join('.'));
}

/** Which of the two documents `file` (from the root) is, if either. */
function docOf(file: string): DocName | null {
  for (const [name, doc] of Object.entries(DOCS)) if (file === doc) return name as DocName;
  return null;
}

/** A section number already read, for the one after it. */
interface Cited {
  end: number;
  doc: DocName;
  number: string;
}

interface Problem {
  file: string;
  line: number;
  text: string;
  why: string;
}

/** Every problem with the citations and links of `text`, read as the file at `file` (from the root). */
function problemsIn(file: string, text = readFileSync(join(ROOT, file), 'utf8')): Problem[] {
  const problems: Problem[] = [];
  const lineAt = (offset: number) => text.slice(0, offset).split('\n').length;
  const report = (offset: number, snippet: string, why: string) =>
    problems.push({ file, line: lineAt(offset), text: snippet, why });

  for (const [pattern, why] of OLD_FORMS) {
    const global = new RegExp(pattern.source, `${pattern.flags}g`);
    for (const match of text.matchAll(global)) report(match.index, match[0], why);
  }

  const selfDoc = docOf(file);
  const markdown = file.endsWith('.md');
  // Paragraphs: a bare section number takes the document named last in its paragraph.
  let start = 0;
  for (const paragraph of text.split(/\n[ \t]*\n/)) {
    const offset = text.indexOf(paragraph, start);
    start = offset + paragraph.length;
    const inLink: [from: number, to: number, doc: DocName, anchor: string | null][] = [];
    if (markdown) {
      for (const link of paragraph.matchAll(LINK)) {
        const [whole, label = '', target = ''] = link;
        if (/^[a-z][a-z+.-]*:/i.test(target)) continue;
        const [path = '', anchor] = target.split('#');
        const targetFile = path === '' ? file : relative(ROOT, resolve(ROOT, dirname(file), path));
        if (!existsSync(join(ROOT, targetFile))) {
          report(offset + link.index, whole, `links ${target}, which does not exist`);
          continue;
        }
        if (anchor !== undefined && targetFile.endsWith('.md') && !outline(targetFile).anchors.has(anchor)) {
          report(offset + link.index, whole, `links #${anchor}, which ${targetFile} does not have`);
        }
        const doc = docOf(targetFile);
        if (doc !== null && label.includes('\u00a7')) {
          const labelStart = offset + link.index + 1;
          inLink.push([labelStart, labelStart + label.length, doc, anchor ?? null]);
          const first = [...label.matchAll(SECTION)][0]?.[1];
          if (anchor !== undefined && first !== anchor) {
            report(offset + link.index, whole, `the link text says ${first} but the anchor is #${anchor}`);
          }
        }
      }
    }
    const qualifiers = [...paragraph.matchAll(QUALIFIER)].map((match) => ({
      end: offset + match.index + match[0].length - 1,
      doc: (match[1] ?? '').toLowerCase() as DocName,
    }));
    const chain: { last: Cited | null } = { last: null };
    for (const match of paragraph.matchAll(/\u00a7(\d+(?:\.\d+)*)?/g)) {
      const previous = chain.last;
      const at = offset + match.index;
      const number = match[1];
      if (number === undefined) {
        report(at, paragraph.slice(match.index, match.index + 20), 'a section sign without a number');
        continue;
      }
      const link = inLink.find(([from, to]) => at >= from && at < to);
      const qualifier = qualifiers.find((q) => q.end === at);
      const gap: string | null = previous === null ? null : text.slice(previous.end, at);
      const chained: boolean = previous !== null && gap !== null && CHAIN_GAP.test(gap);
      const nearest = qualifiers.filter((q) => q.end < at).at(-1);
      const doc: DocName | null =
        link?.[2] ??
        qualifier?.doc ??
        (chained ? (previous?.doc ?? null) : null) ??
        selfDoc ??
        nearest?.doc ??
        null;
      if (doc === null) {
        report(
          at,
          `\u00a7${number}`,
          'names no document: write "protocol \u00a7N" or "architecture \u00a7N"',
        );
        continue;
      }
      const numbers =
        chained && previous !== null && /^\s*[–-]\s*$/.test(gap ?? '')
          ? expandRange(previous.number, number)
          : [number];
      for (const section of numbers) {
        if (!outline(DOCS[doc]).sections.has(section)) {
          report(at, `${doc} \u00a7${number}`, `${DOCS[doc]} has no section ${section}`);
        }
      }
      chain.last = { end: at + match[0].length, doc, number };
    }
  }
  return problems;
}

function describeProblems(problems: Problem[]): string {
  return problems.map((p) => `${p.file}:${p.line}: ${JSON.stringify(p.text)} ${p.why}`).join('\n');
}

describe('citations of the repository’s own documentation', () => {
  const files = trackedFiles();

  it('scans the sources, tests, READMEs and docs (and finds citations in them)', () => {
    expect(files).toContain('docs/protocol.md');
    expect(files).toContain('packages/provider-vectrafin/src/status-table.ts');
    expect(files).toContain('packages/router/README.md');
    const citing = files.filter((file) =>
      /\b(?:protocol|architecture)\s+\u00a7/i.test(readFileSync(join(ROOT, file), 'utf8')),
    );
    expect(citing.length).toBeGreaterThan(50);
  });

  it('every numbered heading of the two documents carries an anchor equal to its number', () => {
    for (const doc of Object.values(DOCS)) {
      expect(outline(doc).sections.size, doc).toBeGreaterThan(5);
      expect(outline(doc).unanchored, doc).toEqual([]);
    }
  });

  it('the sections the code was first written against all exist (protocol 1–6 with 3.1–3.18, architecture 1–7 with 4.1–4.9)', () => {
    const protocol = outline(DOCS.protocol).sections;
    const architecture = outline(DOCS.architecture).sections;
    for (const n of ['1', '2', '3', '4', '5', '6']) expect(protocol.has(n), `protocol ${n}`).toBe(true);
    for (let n = 1; n <= 18; n++) expect(protocol.has(`3.${n}`), `protocol 3.${n}`).toBe(true);
    for (const n of ['1', '2', '3', '4', '5', '6', '7'])
      expect(architecture.has(n), `architecture ${n}`).toBe(true);
    for (let n = 1; n <= 9; n++) expect(architecture.has(`4.${n}`), `architecture 4.${n}`).toBe(true);
  });

  it('every citation names a section that exists, no old form remains, and every markdown link leads somewhere', () => {
    const problems = files.flatMap((file) => problemsIn(file));
    expect(describeProblems(problems)).toBe('');
  });
});

describe('the checker itself', () => {
  // Checks `text` as if it were a file at packages/core/test/probe/<name>: nothing is written.
  const check = (name: string, text: string) =>
    problemsIn(`packages/core/test/probe/${name}`, text).map((problem) => problem.why);

  it('accepts real sections, chains and ranges', () => {
    expect(check('a.ts', '// protocol \u00a73.8, \u00a73.9 and architecture \u00a74.3–\u00a74.5\n')).toEqual(
      [],
    );
  });

  it('refuses a section that does not exist, also at the end of a range', () => {
    expect(check('a.ts', '// protocol \u00a73.99\n')).toEqual(['docs/protocol.md has no section 3.99']);
    expect(check('a.ts', '// architecture \u00a74.8–\u00a74.10\n')).toEqual([
      'docs/architecture.md has no section 4.10',
    ]);
  });

  it('refuses old forms, and a section sign that names no document', () => {
    const oldNotes = ['no', 'tes \u00a73.1'].join('');
    const oldDesign = ['Des', 'ign \u00a74.1'].join('');
    expect(check('a.ts', `// (${oldNotes}) (${oldDesign})\n`)).toEqual([
      expect.stringContaining('reading notes'),
      expect.stringContaining('the design'),
      expect.stringContaining('names no document'),
      expect.stringContaining('names no document'),
    ]);
    expect(check('a.ts', '// see \u00a73.1\n')).toEqual([expect.stringContaining('names no document')]);
    expect(check('a.md', `[notes](../../../../spec/${['vectrafin', 'notes'].join('-')}.md)\n`)).toEqual([
      expect.stringContaining('reading notes'),
      expect.stringContaining('does not exist'),
    ]);
  });

  it('checks markdown links: the file, the anchor, and that the anchor is the section cited', () => {
    expect(check('a.md', '[protocol \u00a73.8](../../../../docs/protocol.md#3.8)\n')).toEqual([]);
    expect(check('a.md', '[protocol \u00a73.8](../../../../docs/protocol.md#3.9)\n')).toEqual([
      'the link text says 3.8 but the anchor is #3.9',
    ]);
    expect(check('a.md', '[x](../../../../docs/protocol.md#99)\n')).toEqual([
      'links #99, which docs/protocol.md does not have',
    ]);
    expect(check('a.md', '[x](../../../../docs/nowhere.md)\n')).toEqual([
      'links ../../../../docs/nowhere.md, which does not exist',
    ]);
  });

  it('reads a bare section number in a document as its own, and chains after a qualifier as that one', () => {
    const doc = 'See architecture \u00a74.4, \u00a74.8; the transport reports it (\u00a74.2).\n';
    expect(problemsIn(DOCS.protocol, doc)).toEqual([]);
    expect(problemsIn(DOCS.protocol, 'See architecture \u00a74.4, \u00a73.18.\n').map((p) => p.why)).toEqual([
      'docs/architecture.md has no section 3.18',
    ]);
  });
});
