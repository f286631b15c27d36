/**
 * npm run tools:schema: the AWS provider's schema digests for the types the stacks use, compared with the full build's
 * (scripts/tools/aws-schema-reference.json), or recorded from a full build with --write (scripts/tools/schema-digest.ts).
 * Exit 0 identical (or written), 1 a difference, 2 usage.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseCli, runCli, UsageError } from './lib/cli';
import { compareWithReference, readReference, REFERENCE_FILE, SchemaReference, schemaDigests } from './tools/schema-digest';
import { loadProviderMap, readStacks, requireTools, tempDir } from './tools/tools';

const USAGE = 'usage: npm run tools:schema -- [--write --full-build BINARY --from OUTDIR... [--also TYPE...]]';
const HELP = `${USAGE}

  (no option)          compare the installed AWS provider with the reference
  --write              record the reference (needs --full-build: the reference is the FULL build's schema)
  --full-build BINARY  a terraform-provider-aws built from the same commit without trim-aws-provider.js
  --from OUTDIR        synth outputs whose aws_ types the reference covers (with --write), repeatable
  --also TYPE          a further resource type to cover (with --write), repeatable
  --help               this text

Exit codes: 0 identical (or written), 1 a difference, 2 usage.
`;

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseCli(argv, {
    write: { type: 'boolean' },
    from: { type: 'string', multiple: true },
    also: { type: 'string', multiple: true },
    'full-build': { type: 'string' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.write && !values['full-build'])
    throw new UsageError('--write records the reference from a full build: pass --full-build <terraform-provider-aws binary>');
  let tools = requireTools(['engine', 'aws']);
  let scratch: string | undefined;
  if (values['full-build']) {
    // a mirror and CLI configuration of its own for the given binary, under the release the stacks pin
    const aws = loadProviderMap().find((p) => p.source === 'registry.terraform.io/hashicorp/aws');
    if (!aws) throw new Error('scripts/tools/providers.json has no AWS provider');
    scratch = tempDir('isl-full-build-');
    const dir = path.join(scratch, 'mirror', 'registry.terraform.io', 'hashicorp', 'aws', aws.release, 'linux_amd64');
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(path.resolve(values['full-build']), path.join(dir, `terraform-provider-aws_v${aws.release}`));
    fs.chmodSync(path.join(dir, `terraform-provider-aws_v${aws.release}`), 0o755);
    const rc = path.join(scratch, 'terraformrc');
    fs.writeFileSync(
      rc,
      `provider_installation {\n  filesystem_mirror {\n    path = "${path.join(scratch, 'mirror')}"\n    include = ["registry.terraform.io/hashicorp/aws"]\n  }\n  direct { exclude = ["registry.terraform.io/hashicorp/aws"] }\n}\n`,
    );
    tools = { ...tools, cliConfig: rc };
  }
  const ref = fs.existsSync(REFERENCE_FILE) ? readReference() : undefined;
  const stacks = (values.from ?? []).flatMap((d) => readStacks(path.resolve(d)));
  const typesOf = (section: 'resource' | 'data') => [
    ...new Set(stacks.flatMap((s) => Object.keys(s.json[section] ?? {}).filter((t) => t.startsWith('aws_')))),
  ];
  const resources = values.write ? [...new Set([...typesOf('resource'), ...(values.also ?? [])])] : Object.keys(ref?.resources ?? {});
  const dataSources = values.write ? typesOf('data') : Object.keys(ref?.dataSources ?? {});
  const got = await schemaDigests(tools, resources, dataSources).finally(() => {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });
  if (values.write) {
    const out: SchemaReference = {
      '//': 'SHA-256 of the canonical `providers schema -json` of each type the stacks use, from the FULL build of the commit (npm run tools:schema -- --write --full-build)',
      build: 'full',
      ...got,
    };
    fs.writeFileSync(REFERENCE_FILE, `${JSON.stringify(out, null, 2)}\n`);
    console.log(`tools:schema: wrote ${REFERENCE_FILE} (${resources.length} resources, ${dataSources.length} data sources)`);
    return 0;
  }
  if (!ref) throw new UsageError(`${REFERENCE_FILE} does not exist: record it with --write`);
  const diff = compareWithReference(got, ref);
  console.log(
    diff.length ? `tools:schema: DIFFERS from the reference:\n  ${diff.join('\n  ')}` : 'tools:schema: identical to the reference',
  );
  return diff.length ? 1 : 0;
}

if (require.main === module) runCli('tools:schema', USAGE, () => main(process.argv.slice(2)));
