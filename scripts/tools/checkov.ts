/**
 * checkov (pinned, from PyPI; scripts/setup.sh) on the synthesized stacks with the terraform_json framework and the
 * repository's .checkov.yaml, where every accepted finding is listed with its reason.
 *
 * Fails on: any failed check; a parsing error; checkov having parsed a different number of resources than the JSON
 * holds (checkov's report has no resource count for terraform_json, so its own parser is asked: checkov_count.py);
 * and the assumption behind the key-policy skips no longer holding (CKV_AWS_109/111/356 failing on anything but a
 * KMS key policy: a second scan of just those checks without the config tells).
 *
 *   npm run checkov -- [--outdir cdktf.out] [--config .checkov.yaml] [--no-config]
 */
import * as fs from 'fs';
import * as path from 'path';
import { resourcesOf, TfJson } from '../../constructs/tf-json';
import { readStacks, REPO_ROOT, requireTools, resourceAddresses, run, tempDir, Tools } from './tools';

/** The parts of checkov's JSON report (`-o json`) read here: one report, or a list of them, one per framework. */
interface CheckovReport {
  readonly check_type?: string;
  readonly results?: { readonly failed_checks?: readonly CheckovReportCheck[]; readonly parsing_errors?: readonly string[] };
  readonly summary?: { readonly passed?: number; readonly resource_count?: number };
}

interface CheckovReportCheck {
  readonly check_id: string;
  readonly check_name: string;
  readonly resource: string;
  readonly file_path: string;
  readonly file_line_range?: readonly number[];
  readonly check_result?: { readonly evaluated_keys?: readonly string[] };
}

function parseReport(what: string, r: { code: number; stdout: string; stderr: string }): CheckovReport[] {
  // checkov exits 1 when a check failed; anything else without a JSON report is a crash
  let report: unknown;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    throw new Error(`${what} printed no JSON report (exit ${r.code}):\n${(r.stderr || r.stdout).slice(-3000)}`);
  }
  return (Array.isArray(report) ? report : [report]) as CheckovReport[];
}

export interface CheckovFailure {
  readonly checkId: string;
  readonly checkName: string;
  /** As checkov names it: `aws_type.name` for graph checks, `resource.name` / `data.name` for the others. */
  readonly resource: string;
  /** e.g. /pilot/cdk.tf.json */
  readonly file: string;
  readonly lines: readonly number[];
  readonly evaluatedKeys: readonly string[];
}

export interface CheckovResult {
  readonly passed: number;
  readonly failed: readonly CheckovFailure[];
  readonly parsingErrors: readonly string[];
  /** checkov's own summary.resource_count (0 for terraform_json in checkov 3.3.30). */
  readonly reportedResourceCount: number;
  /** Resources checkov's parser found, per file (stack/cdk.tf.json), and those in the synthesized JSON. */
  readonly parsedResources: Readonly<Record<string, number>>;
  readonly jsonResources: Readonly<Record<string, number>>;
  /** The skip-check entries of the config file. */
  readonly skips: readonly string[];
  /** Problems found by this script beyond checkov's failed checks (count mismatch, broken skip assumptions). */
  readonly problems: readonly string[];
  readonly ms: number;
}

/** The `skip-check:` list of a checkov YAML config (a plain list of scalars; comments ignored). */
export function configSkips(configFile: string): string[] {
  const out: string[] = [];
  let inList = false;
  for (const raw of fs.readFileSync(configFile, 'utf8').split('\n')) {
    const line = raw.replace(/\s+#.*$/, '');
    if (/^skip-check:\s*$/.test(line)) {
      inList = true;
      continue;
    }
    if (!inList || /^\s*#/.test(raw) || !line.trim()) continue;
    const m = /^\s+-\s+(.+?)\s*$/.exec(line);
    if (!m) {
      inList = false;
      continue;
    }
    out.push(m[1].replace(/^(['"])(.*)\1$/, '$2'));
  }
  return out;
}

/** Names of the aws_iam_policy_document data sources a stack uses as an aws_kms_key policy. */
export function keyPolicyDocuments(json: TfJson): string[] {
  const policies = resourcesOf(json, 'aws_kms_key').map((k) => (typeof k.body.policy === 'string' ? k.body.policy : ''));
  return Object.keys(json.data?.aws_iam_policy_document ?? {}).filter((name) =>
    policies.some((p) => p.includes(`data.aws_iam_policy_document.${name}.`)),
  );
}

/** Names of the aws_sns_topic resources a replication group publishes its ElastiCache events to. */
export function eventTopics(json: TfJson): string[] {
  const targets = resourcesOf(json, 'aws_elasticache_replication_group').map((r) =>
    typeof r.body.notification_topic_arn === 'string' ? r.body.notification_topic_arn : '',
  );
  return Object.keys(json.resource?.aws_sns_topic ?? {}).filter((name) => targets.some((t) => t.includes(`aws_sns_topic.${name}.`)));
}

/**
 * The stack-wide skips of .checkov.yaml and the only resources each may hide: checkov's terraform_json framework
 * cannot skip one resource, so a second scan of these checks without the config must find them failing on nothing
 * else (`resource` as checkov names it: `data.<name>` or `resource.<name>`).
 */
export const SCOPED_SKIPS: Readonly<Record<string, { readonly only: string; readonly allowed: (json: TfJson) => string[] }>> = {
  CKV_AWS_109: { only: 'a KMS key policy', allowed: (j) => keyPolicyDocuments(j).map((n) => `data.${n}`) },
  CKV_AWS_111: { only: 'a KMS key policy', allowed: (j) => keyPolicyDocuments(j).map((n) => `data.${n}`) },
  CKV_AWS_356: { only: 'a KMS key policy', allowed: (j) => keyPolicyDocuments(j).map((n) => `data.${n}`) },
  CKV_AWS_26: { only: 'the ElastiCache events topic', allowed: (j) => eventTopics(j).map((n) => `resource.${n}`) },
};

/**
 * What checkov scans: a copy of each stack's cdk.tf.json without `terraform.required_version`. checkov 3.3.30 (the
 * newest on PyPI) cannot parse that key in its terraform_json framework ("this method receives only dicts": it
 * expects every key of the `terraform` block to hold a block), and then skips the whole file. No check reads it.
 */
function scanCopy(outdir: string): string {
  const dir = path.join(tempDir('isl-checkov-scan-'), 'stacks');
  for (const stack of readStacks(outdir)) {
    const json = JSON.parse(JSON.stringify(stack.json)) as TfJson;
    if (json.terraform) delete (json.terraform as Record<string, unknown>).required_version;
    fs.mkdirSync(path.join(dir, stack.name), { recursive: true });
    fs.writeFileSync(path.join(dir, stack.name, 'cdk.tf.json'), JSON.stringify(json, null, 2));
  }
  return dir;
}

export async function runCheckov(
  outdir: string,
  opts: {
    tools?: Tools;
    /** The config file; null: none. @default .checkov.yaml */
    config?: string | null;
    /** Only these checks (`--check`). @default every check */
    checks?: readonly string[];
  } = {},
): Promise<CheckovResult> {
  const tools = opts.tools ?? requireTools(['checkov']);
  const started = Date.now();
  const stacksDir = scanCopy(outdir);
  const config = opts.config === undefined ? path.join(REPO_ROOT, '.checkov.yaml') : opts.config;
  const args = ['-d', stacksDir, '--framework', 'terraform_json', '-o', 'json', '--skip-download'];
  if (config) args.push('--config-file', config);
  if (opts.checks?.length) args.push('--check', opts.checks.join(','));
  const env = { ...process.env, BC_SKIP_MAPPING: 'TRUE', CHECKOV_RUN_SCA_PACKAGE_SCAN_V2: 'false', LOG_LEVEL: 'WARNING' };
  // checkov also reads a .checkov.yaml from its working directory: run it in an empty one so only `config` counts
  const cwd = tempDir('isl-checkov-');
  const skips = config ? configSkips(config) : [];
  // the scoped skips are stack-wide: a second scan of just those checks without the config shows whether they fail
  // on anything but the resources they are meant for (which the skips would then hide)
  const guarded = Object.keys(SCOPED_SKIPS).filter((id) => skips.some((k) => k.split(':')[0] === id));
  const [scan, count, keyScan] = await Promise.all([
    run(tools.checkov, args, { env, cwd }),
    run(path.join(path.dirname(tools.checkov), 'python'), [path.join(__dirname, 'checkov_count.py'), stacksDir], { env, cwd }),
    guarded.length
      ? run(
          tools.checkov,
          ['-d', stacksDir, '--framework', 'terraform_json', '-o', 'json', '--skip-download', '--check', guarded.join(',')],
          { env, cwd },
        )
      : undefined,
  ]).finally(() => {
    fs.rmSync(cwd, { recursive: true, force: true });
  });
  fs.rmSync(path.dirname(stacksDir), { recursive: true, force: true });
  const reports = parseReport('checkov', scan);
  if (count.code !== 0) throw new Error(`checkov_count.py failed (exit ${count.code}):\n${count.stderr.slice(-3000)}`);
  const tj = reports.find((r) => r.check_type === 'terraform_json');
  // checkov prints an empty report ({"passed": 0, ...}) when it found nothing to scan
  const failed: CheckovFailure[] = (tj?.results?.failed_checks ?? []).map((f) => ({
    checkId: f.check_id,
    checkName: f.check_name,
    resource: f.resource,
    file: f.file_path,
    lines: f.file_line_range ?? [],
    evaluatedKeys: f.check_result?.evaluated_keys ?? [],
  }));
  const parsed = JSON.parse(count.stdout) as { files: Record<string, number>; parsing_errors: string[] };
  const stacks = readStacks(outdir);
  const jsonResources: Record<string, number> = {};
  for (const s of stacks) jsonResources[`${s.name}/cdk.tf.json`] = resourceAddresses(s.json).length;

  const problems: string[] = [];
  const parsingErrors = [...(tj?.results?.parsing_errors ?? []), ...parsed.parsing_errors];
  for (const e of parsingErrors) problems.push(`checkov could not parse ${e}`);
  const totalJson = Object.values(jsonResources).reduce((a, b) => a + b, 0);
  const totalParsed = Object.values(parsed.files).reduce((a, b) => a + b, 0);
  if (totalParsed === 0) problems.push(`checkov parsed no resource in ${stacksDir}`);
  for (const file of new Set([...Object.keys(jsonResources), ...Object.keys(parsed.files)])) {
    if ((parsed.files[file] ?? 0) !== (jsonResources[file] ?? 0)) {
      problems.push(`${file}: checkov parsed ${parsed.files[file] ?? 0} resources, the JSON has ${jsonResources[file] ?? 0}`);
    }
  }
  const reported = tj?.summary?.resource_count ?? 0;
  if (reported > 0 && reported !== totalJson) problems.push(`checkov reports ${reported} resources, the JSON has ${totalJson}`);
  if (tj && (tj.summary?.passed ?? 0) === 0) problems.push('checkov ran no passing check at all');
  if (!tj) problems.push('checkov produced no terraform_json report');
  if (keyScan) {
    const scopedFailed = parseReport('checkov (checks skipped stack-wide)', keyScan).flatMap((r) => r.results?.failed_checks ?? []);
    for (const f of scopedFailed) {
      const stack = stacks.find((st) => f.file_path === `/${st.name}/cdk.tf.json`);
      const scope = SCOPED_SKIPS[f.check_id] as (typeof SCOPED_SKIPS)[string] | undefined;
      if (!stack || !scope?.allowed(stack.json).includes(f.resource)) {
        problems.push(
          `${f.check_id} fails on ${f.resource} in ${f.file_path}, which is not ${scope?.only ?? 'what its skip is for'}: the stack-wide skip of ${f.check_id} in .checkov.yaml hides it (${f.check_name})`,
        );
      }
    }
  }
  return {
    passed: tj?.summary?.passed ?? 0,
    failed,
    parsingErrors,
    reportedResourceCount: reported,
    parsedResources: parsed.files,
    jsonResources,
    skips,
    problems,
    ms: Date.now() - started,
  };
}

export function formatFailure(f: CheckovFailure): string {
  return `FAILED ${f.checkId} ${f.file} ${f.resource} (lines ${f.lines.join('-')}; ${f.evaluatedKeys.join(', ') || 'no keys'}): ${f.checkName}`;
}

async function main(argv: string[]): Promise<number> {
  let outdir = path.join(REPO_ROOT, 'cdktf.out');
  let config: string | null | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--outdir') outdir = path.resolve(argv[++i]);
    else if (argv[i] === '--config') config = path.resolve(argv[++i]);
    else if (argv[i] === '--no-config') config = null;
    else throw new Error(`checkov: unknown argument ${argv[i]}`);
  }
  const tools = requireTools(['checkov']);
  const r = await runCheckov(outdir, { tools, config });
  const files = Object.entries(r.parsedResources)
    .map(([f, n]) => `${f.split('/')[0]} ${n}`)
    .join(', ');
  console.log(
    `checkov ${tools.checkovVersion}: ${r.passed} passed, ${r.failed.length} failed; resources parsed by checkov: ${files} (JSON: ${Object.values(r.jsonResources).reduce((a, b) => a + b, 0)} in all)`,
  );
  for (const f of r.failed) console.log(`  ${formatFailure(f)}`);
  for (const p of r.problems) console.log(`  PROBLEM: ${p}`);
  if (r.skips.length) console.log(`  skipped by .checkov.yaml (reasons there): ${r.skips.join(' ')}`);
  console.log(`checkov: ${r.failed.length === 0 && r.problems.length === 0 ? 'ok' : 'FAILED'}, ${(r.ms / 1000).toFixed(1)} s`);
  return r.failed.length === 0 && r.problems.length === 0 ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(`checkov: ${(e as Error).message}`);
      process.exit(2);
    },
  );
}
