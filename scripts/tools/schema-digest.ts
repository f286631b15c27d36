/**
 * Digests of the AWS provider's schema for the types the stacks use: what proves that the trimmed build the tools run
 * (scripts/tools/trim-aws-provider.js) has the same provider configuration and the same resource and data source
 * schemas as the full build of the same commit. `terraform providers schema -json` in a scratch directory that
 * requires the mirrored provider; one SHA-256 per type over its canonical JSON (keys sorted).
 *
 *   npm run tools:schema -- --write --full-build <terraform-provider-aws> --from cdktf.out --from <shapes outdir>
 *                                       # record the reference from a full build of the same commit (`go build` of the
 *                                       # module without trim-aws-provider.js) for every aws_ type those outputs use
 *   npm run tools:schema                # compare the installed build with the reference; exit 1 on a difference
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { engine, loadProviderMap, tempDir, Tools } from './tools';

export const REFERENCE_FILE = path.join(__dirname, 'aws-schema-reference.json');

export interface SchemaReference {
  readonly '//': string;
  readonly provider: string;
  readonly commit: string;
  /** How the provider was built when the reference was recorded (`full` or the trim script). */
  readonly build: string;
  readonly providerConfig: string;
  readonly resources: Readonly<Record<string, string>>;
  readonly dataSources: Readonly<Record<string, string>>;
}

/** JSON with object keys sorted, so equal schemas give equal digests. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

const digest = (value: unknown): string => createHash('sha256').update(canonical(value)).digest('hex');

interface ProviderSchema {
  provider: unknown;
  resource_schemas?: Record<string, unknown>;
  data_source_schemas?: Record<string, unknown>;
}

/** The installed AWS provider's schema digests for `types` (resource or data source types, `data.` prefixed for the latter). */
export async function schemaDigests(
  tools: Tools,
  resources: readonly string[],
  dataSources: readonly string[],
): Promise<Omit<SchemaReference, '//' | 'build'>> {
  const aws = loadProviderMap().find((p) => p.source === 'registry.terraform.io/hashicorp/aws');
  if (!aws) throw new Error('scripts/tools/providers.json has no AWS provider');
  const dir = tempDir('isl-schema-');
  try {
    fs.writeFileSync(
      path.join(dir, 'main.tf.json'),
      JSON.stringify({ terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: aws.release } } } }),
    );
    await engine(tools, dir, ['init', '-backend=false', '-input=false', '-no-color']);
    const r = await engine(tools, dir, ['providers', 'schema', '-json']);
    const all = JSON.parse(r.stdout) as { provider_schemas: Record<string, ProviderSchema> };
    const schema = all.provider_schemas['registry.terraform.io/hashicorp/aws'];
    const pick = (kind: Record<string, unknown> | undefined, types: readonly string[]) =>
      Object.fromEntries([...types].sort().map((t) => [t, kind && t in kind ? digest(kind[t]) : 'MISSING']));
    return {
      provider: aws.source,
      commit: aws.commit,
      providerConfig: digest(schema.provider),
      resources: pick(schema.resource_schemas, resources),
      dataSources: pick(schema.data_source_schemas, dataSources),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function readReference(file = REFERENCE_FILE): SchemaReference {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as SchemaReference;
}

/** The types whose digests differ from the reference (or that the reference does not hold). */
export function compareWithReference(got: Omit<SchemaReference, '//' | 'build'>, ref: SchemaReference): string[] {
  const out: string[] = [];
  if (got.commit !== ref.commit) out.push(`commit ${got.commit} (reference: ${ref.commit})`);
  if (got.providerConfig !== ref.providerConfig) out.push('provider configuration');
  for (const [kind, a, b] of [
    ['resource', got.resources, ref.resources],
    ['data source', got.dataSources, ref.dataSources],
  ] as const) {
    for (const [t, d] of Object.entries(a)) {
      if (!(t in b)) out.push(`${kind} ${t}: not in the reference`);
      else if (d !== b[t]) out.push(`${kind} ${t}: ${d === 'MISSING' ? 'not in this build' : 'schema differs'}`);
    }
  }
  return out;
}
