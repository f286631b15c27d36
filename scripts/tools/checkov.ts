/**
 * checkov (pinned, from PyPI; scripts/tools/setup-tools.sh) on the synthesized stacks with the terraform_json
 * framework, and the repository's .checkov.yaml, where every accepted finding is listed with its reason.
 *
 * One checkov process runs every check (checkov_scan.py); the skips of .checkov.yaml are applied here, to the
 * findings. Fails on: any finding no skip covers; a parsing error; checkov having parsed a different number of
 * resources than the JSON holds; a skip that covers nothing any more (stale); and a stack-wide skip hiding a finding
 * it is not for (SCOPED_SKIPS: CKV_AWS_109/111/356 on anything but a KMS key policy, CKV_AWS_26 on any topic but the
 * ElastiCache events topic).
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
  /** Findings no skip of the config covers. */
  readonly failed: readonly CheckovFailure[];
  /** Findings a skip of the config covers (what the skips accept). */
  readonly accepted: readonly CheckovFailure[];
  /** Skips of the config that cover no finding any more. */
  readonly staleSkips: readonly string[];
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
    /** The config file whose skip-check list is applied; null: none. @default .checkov.yaml */
    config?: string | null;
  } = {},
): Promise<CheckovResult> {
  const tools = opts.tools ?? requireTools(['checkov']);
  const started = Date.now();
  const stacksDir = scanCopy(outdir);
  const config = opts.config === undefined ? path.join(REPO_ROOT, '.checkov.yaml') : opts.config;
  const env = { ...process.env, BC_SKIP_MAPPING: 'TRUE', CHECKOV_RUN_SCA_PACKAGE_SCAN_V2: 'false', LOG_LEVEL: 'WARNING' };
  // checkov reads a .checkov.yaml from its working directory too: an empty one, so only `config` counts
  const cwd = tempDir('isl-checkov-');
  const scan = await run(path.join(path.dirname(tools.checkov), 'python'), [path.join(__dirname, 'checkov_scan.py'), stacksDir], {
    env,
    cwd,
  }).finally(() => {
    fs.rmSync(cwd, { recursive: true, force: true });
    fs.rmSync(path.dirname(stacksDir), { recursive: true, force: true });
  });
  let out: { report: CheckovReport[]; files: Record<string, number>; parsing_errors: string[] };
  try {
    out = JSON.parse(scan.stdout) as typeof out;
  } catch {
    throw new Error(`checkov_scan.py printed no JSON (exit ${scan.code}):\n${(scan.stderr || scan.stdout).slice(-3000)}`);
  }
  const tj = out.report.find((r) => r.check_type === 'terraform_json');
  const findings: CheckovFailure[] = (tj?.results?.failed_checks ?? []).map((f) => ({
    checkId: f.check_id,
    checkName: f.check_name,
    resource: f.resource,
    file: f.file_path,
    lines: f.file_line_range ?? [],
    evaluatedKeys: f.check_result?.evaluated_keys ?? [],
  }));
  const skips = config ? configSkips(config) : [];
  const parsedSkips = skips.map((k) => ({ k, id: k.split(':')[0], re: new RegExp(k.split(':')[1] ?? '.') }));
  const coverOf = (f: CheckovFailure) => parsedSkips.find((x) => x.id === f.checkId && x.re.test(f.file));
  const failed = findings.filter((f) => !coverOf(f));
  const accepted = findings.filter((f) => coverOf(f));
  const staleSkips = parsedSkips.filter((x) => !findings.some((f) => coverOf(f) === x)).map((x) => x.k);

  const stacks = readStacks(outdir);
  const jsonResources: Record<string, number> = {};
  for (const st of stacks) jsonResources[`${st.name}/cdk.tf.json`] = resourceAddresses(st.json).length;
  const problems: string[] = [];
  const parsingErrors = [...(tj?.results?.parsing_errors ?? []), ...out.parsing_errors];
  for (const e of parsingErrors) problems.push(`checkov could not parse ${e}`);
  const totalParsed = Object.values(out.files).reduce((a, b) => a + b, 0);
  if (totalParsed === 0) problems.push(`checkov parsed no resource in ${outdir}`);
  for (const file of new Set([...Object.keys(jsonResources), ...Object.keys(out.files)])) {
    if ((out.files[file] ?? 0) !== (jsonResources[file] ?? 0)) {
      problems.push(`${file}: checkov parsed ${out.files[file] ?? 0} resources, the JSON has ${jsonResources[file] ?? 0}`);
    }
  }
  if (tj && (tj.summary?.passed ?? 0) === 0) problems.push('checkov ran no passing check at all');
  if (!tj) problems.push('checkov produced no terraform_json report');
  for (const k of staleSkips) problems.push(`.checkov.yaml skips ${k}, which covers no finding any more: remove it`);
  for (const f of accepted) {
    const scope = SCOPED_SKIPS[f.checkId] as (typeof SCOPED_SKIPS)[string] | undefined;
    if (!scope) continue;
    const stack = stacks.find((st) => f.file === `/${st.name}/cdk.tf.json`);
    if (!stack || !scope.allowed(stack.json).includes(f.resource)) {
      problems.push(
        `${f.checkId} fails on ${f.resource} in ${f.file}, which is not ${scope.only}: the stack-wide skip of ${f.checkId} in .checkov.yaml hides it (${f.checkName})`,
      );
    }
  }
  return {
    passed: tj?.summary?.passed ?? 0,
    failed,
    accepted,
    staleSkips,
    parsingErrors,
    reportedResourceCount: tj?.summary?.resource_count ?? 0,
    parsedResources: out.files,
    jsonResources,
    skips,
    problems,
    ms: Date.now() - started,
  };
}

export function formatFailure(f: CheckovFailure): string {
  return `FAILED ${f.checkId} ${f.file} ${f.resource} (lines ${f.lines.join('-')}; ${f.evaluatedKeys.join(', ') || 'no keys'}): ${f.checkName}`;
}
