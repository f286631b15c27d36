/**
 * Which way imports may run (README, "Architecture"), over the whole import graph: every import, export-from and
 * require of every TypeScript file, found by the TypeScript compiler's own parser (ts.preProcessFile) and resolved as
 * the compiler resolves it (ts.resolveModuleName), so a double-quoted, multi-line or type-only import counts, and a
 * rule about what a module may reach holds for what it reaches through others too.
 *
 *   constructs/  the library: reaches nothing of this project (config/, stacks/, scripts/, tests, main.ts);
 *   config/      this project's data and choices: imports config/ only, and the library's types through its entry point;
 *   stacks/      this project's stacks: reach the library only through its entry points, never scripts/ or tests;
 *   scripts/     tools: never reach tests (tests import scripts/lib/ instead);
 * no import cycle anywhere; the synthesized-JSON reader loads no provider bindings; the ElastiCache and monitoring
 * constructs never reach the redis.conf renderer; provider classes come from submodules (`@cdktf/provider-aws/lib/…`).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..', '..');
const SOURCES = ['main.ts', 'config', 'constructs', 'stacks', 'scripts', '__tests__'];
/** The library's public entry points (package.json "exports"). */
const ENTRY_POINTS = ['constructs/index.ts', 'constructs/local/index.ts'];

function filesUnder(rel: string): string[] {
  const full = path.join(ROOT, rel);
  if (!fs.existsSync(full)) return [];
  if (fs.statSync(full).isFile()) return rel.endsWith('.ts') ? [rel] : [];
  return fs
    .readdirSync(full)
    .filter((f) => f !== 'node_modules' && f !== '__snapshots__')
    .flatMap((f) => filesUnder(path.join(rel, f)));
}

const FILES = SOURCES.flatMap(filesUnder).filter((f) => !f.endsWith('.d.ts'));
const OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.CommonJS,
  moduleResolution: ts.ModuleResolutionKind.Node10,
  resolveJsonModule: true,
};

interface Import {
  /** A project file (`config/alarms.ts`), or the module as written (`cdktf`, `@cdktf/provider-aws/lib/provider`). */
  readonly target: string;
  /** `import type …` / `export type … from`: erased at run time. */
  readonly typeOnly: boolean;
}

/** Type-only import and export declarations of a file, by module specifier. */
function typeOnlySpecifiers(text: string, file: string): Set<string> {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const out = new Set<string>();
  for (const s of source.statements) {
    if (ts.isImportDeclaration(s) && s.importClause?.phaseModifier === ts.SyntaxKind.TypeKeyword && ts.isStringLiteral(s.moduleSpecifier))
      out.add(s.moduleSpecifier.text);
    if (ts.isExportDeclaration(s) && s.isTypeOnly && s.moduleSpecifier && ts.isStringLiteral(s.moduleSpecifier))
      out.add(s.moduleSpecifier.text);
  }
  return out;
}

const GRAPH: ReadonlyMap<string, readonly Import[]> = new Map(
  FILES.map((file) => {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    const typeOnly = typeOnlySpecifiers(text, file);
    const imports = ts.preProcessFile(text, true, true).importedFiles.map((i): Import => {
      const resolved = ts.resolveModuleName(i.fileName, path.join(ROOT, file), OPTIONS, ts.sys).resolvedModule;
      const local = resolved && !resolved.isExternalLibraryImport ? path.relative(ROOT, resolved.resolvedFileName) : undefined;
      return { target: local ?? i.fileName, typeOnly: typeOnly.has(i.fileName) };
    });
    return [file, imports];
  }),
);

const isProjectFile = (t: string) => GRAPH.has(t);
const top = (p: string) => p.split('/')[0].replace(/\.ts$/, '');

/** Every project file a file reaches, directly or through others (run-time imports only with `runtimeOnly`). */
function reach(file: string, runtimeOnly = false): Set<string> {
  const seen = new Set<string>();
  const todo = [file];
  while (todo.length) {
    for (const i of GRAPH.get(todo.pop() as string) ?? []) {
      if ((runtimeOnly && i.typeOnly) || !isProjectFile(i.target) || seen.has(i.target)) continue;
      seen.add(i.target);
      todo.push(i.target);
    }
  }
  return seen;
}

/** Every module, project file or package, a file reaches at run time. */
function reachedModules(file: string): string[] {
  const files = [file, ...reach(file, true)];
  return files.flatMap((f) => (GRAPH.get(f) ?? []).filter((i) => !i.typeOnly && !isProjectFile(i.target)).map((i) => i.target));
}

const filesIn = (dir: string) => FILES.filter((f) => top(f) === dir);

/** `file → reached file` for every file of `dir` that reaches a project file `forbidden` accepts. */
function reaching(dir: string, forbidden: (target: string) => boolean): string[] {
  return filesIn(dir).flatMap((f) => [...reach(f)].filter(forbidden).map((t) => `${f} → ${t}`));
}

/** Strongly connected components of more than one file (or a file importing itself): the import cycles. */
function cycles(): string[][] {
  let index = 0;
  const stack: string[] = [];
  const on = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    const next = (GRAPH.get(v) ?? []).map((i) => i.target).filter(isProjectFile);
    for (const w of next) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v) as number, idx.get(w) as number));
    }
    if (low.get(v) === idx.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        on.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || next.includes(v)) out.push(component.sort());
    }
  };
  for (const f of FILES) if (!idx.has(f)) visit(f);
  return out;
}

describe('architecture: imports run one way, checked over the whole import graph', () => {
  it('reads every source file and resolves its imports as the compiler does', () => {
    expect(FILES).toEqual(
      expect.arrayContaining(['main.ts', 'config/environments.ts', 'constructs/index.ts', 'stacks/settings.ts', 'scripts/review.ts']),
    );
    // a multi-line import, a type-only one and a re-export are all found
    expect(GRAPH.get('constructs/index.ts')?.map((i) => i.target)).toEqual(expect.arrayContaining(['constructs/monitoring/defaults.ts']));
    expect(GRAPH.get('config/environments.ts')).toEqual(expect.arrayContaining([{ target: 'constructs/index.ts', typeOnly: true }]));
    expect(reach('stacks/synthesize.ts').has('constructs/tf-json/core.ts')).toBe(true);
  });

  it('has no import cycle', () => {
    expect(cycles()).toEqual([]);
  });

  it('the library (constructs/) reaches nothing of this project: config/, stacks/, scripts/, tests, main.ts', () => {
    expect(reaching('constructs', (t) => ['config', 'stacks', 'scripts', '__tests__', 'main'].includes(top(t)))).toEqual([]);
  });

  it('config/ imports config/ only, and of the library only its types, through its entry point', () => {
    const outside = filesIn('config').flatMap((f) =>
      (GRAPH.get(f) ?? [])
        .filter((i) => isProjectFile(i.target) && top(i.target) !== 'config' && !(i.typeOnly && ENTRY_POINTS.includes(i.target)))
        .map((i) => `${f} → ${i.target}${i.typeOnly ? ' (types)' : ''}`),
    );
    expect(outside).toEqual([]);
    expect(filesIn('config').flatMap((f) => reachedModules(f).map((m) => `${f} → ${m}`))).toEqual([]);
  });

  it('stacks/ reach the library only through its entry points, and never scripts/ or tests', () => {
    const direct = filesIn('stacks').flatMap((f) =>
      (GRAPH.get(f) ?? [])
        .filter((i) => isProjectFile(i.target) && top(i.target) === 'constructs' && !ENTRY_POINTS.includes(i.target))
        .map((i) => `${f} → ${i.target}`),
    );
    expect(direct).toEqual([]);
    expect(reaching('stacks', (t) => ['scripts', '__tests__'].includes(top(t)))).toEqual([]);
  });

  it('scripts/ never reach tests, and tools and stacks take JSON helpers from the reader, not from a rule file', () => {
    expect(reaching('scripts', (t) => top(t) === '__tests__')).toEqual([]);
    const ruleFiles = ['scripts', 'stacks'].flatMap((dir) =>
      filesIn(dir).flatMap((f) =>
        (GRAPH.get(f) ?? []).filter((i) => i.target.startsWith('constructs/guardrails/rules/')).map((i) => `${f} → ${i.target}`),
      ),
    );
    expect(ruleFiles).toEqual([]);
  });

  it('no module of the library reads the environment (process.env): the app reads it and passes settings in', () => {
    const readsEnv = (n: ts.Node): boolean =>
      (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'process' && n.name.text === 'env') ||
      (ts.forEachChild(n, (c) => (readsEnv(c) ? true : undefined)) ?? false);
    const readers = filesIn('constructs').filter((f) =>
      readsEnv(ts.createSourceFile(f, fs.readFileSync(path.join(ROOT, f), 'utf8'), ts.ScriptTarget.Latest, false)),
    );
    expect(readers).toEqual([]);
    expect(filesIn('stacks').filter((f) => fs.readFileSync(path.join(ROOT, f), 'utf8').includes('process.env'))).toEqual([
      'stacks/synthesize.ts',
    ]);
  });

  it('the synthesized-JSON reader and the validation load no provider bindings, through any import', () => {
    const pure = [
      'constructs/tf-json/index.ts',
      'constructs/elasticache/member-nodes.ts',
      'constructs/validation.ts',
      'constructs/guardrails/runner.ts',
    ];
    expect(
      pure.flatMap((f) =>
        reachedModules(f)
          .filter((m) => m.startsWith('@cdktf/'))
          .map((m) => `${f} → ${m}`),
      ),
    ).toEqual([]);
  });

  it('the ElastiCache and monitoring constructs never reach the redis.conf renderer (ElastiCache has no AOF or requirepass)', () => {
    const renderer = 'constructs/local/redis-conf.ts';
    const users = FILES.filter((f) => top(f) === 'constructs' && reach(f).has(renderer));
    expect(users.filter((f) => !f.startsWith('constructs/local/'))).toEqual([]);
    expect(users).toEqual(['constructs/local/index.ts', 'constructs/local/local-redis-cluster.ts', 'constructs/local/local-redis.ts']);
  });

  it('provider classes come from submodules, never from a package root', () => {
    const roots = FILES.flatMap((f) =>
      (GRAPH.get(f) ?? []).filter((i) => /^@cdktf\/provider-[a-z]+$/.test(i.target)).map((i) => `${f} → ${i.target}`),
    );
    expect(roots).toEqual([]);
  });
});
