#!/usr/bin/env node
/**
 * Build setting for the verification tools' AWS provider (scripts/tools/providers.json `patch`; run by
 * setup-tools.sh inside a copy of the provider's source, never in the module cache): registers only the service
 * packages whose resources and data sources the stacks use, and keeps only the AWS SDK clients those packages (and
 * the provider's shared code) call. Go then compiles about a tenth of the provider, in a fraction of the time and
 * memory; every resource the stacks use is compiled from the same source, so its schema and behaviour are the same
 * (__tests__/integration/tools-validate.test.ts compares `providers schema -json` of the stacks' types with the full
 * build's, recorded in scripts/tools/aws-schema-reference.json).
 *
 * A stack that starts using a resource of another service fails `npm run validate` with "The provider
 * hashicorp/aws does not support resource type …": add its service package below (and its SDK client if the
 * compiler asks for one), and refresh the reference (README "Verification with the real tools").
 *
 * Both lists were read from the source of the built commit: the service packages from the resource and data source
 * types in the stacks (`internal/service/<package>`), the clients from every `.<Name>Client(ctx)` call in those
 * packages, in the packages they import (ec2 imports organizations) and in the provider's shared code.
 */
'use strict';
const fs = require('fs');
const path = require('path');

/** Service packages registered with the provider (internal/provider/sdkv2/service_packages_gen.go). */
const SERVICE_PACKAGES = ['cloudwatch', 'ec2', 'elasticache', 'iam', 'kms', 'logs', 'meta', 'secretsmanager', 'sns', 'sts'];

/** AWSClient methods kept in internal/conns/awsclient_gen.go (each imports one AWS SDK package). */
const CLIENT_METHODS = [
  'AccountClient',
  'CloudWatchClient',
  'EC2Client',
  'ElastiCacheClient',
  'IAMClient',
  'KMSClient',
  'LogsClient',
  'OrganizationsClient',
  'S3Client',
  'SNSClient',
  'STSClient',
  'SecretsManagerClient',
];

function edit(file, fn) {
  const before = fs.readFileSync(file, 'utf8');
  const after = fn(before);
  if (after === before) throw new Error(`${file}: nothing changed (has the generated file's layout changed?)`);
  fs.writeFileSync(file, after);
}

// 1. the service packages the provider registers
edit(path.join('internal', 'provider', 'sdkv2', 'service_packages_gen.go'), (src) => {
  const lines = src.split('\n');
  const kept = lines.filter((line) => {
    const imp = /^\t"github\.com\/hashicorp\/terraform-provider-aws\/internal\/service\/([a-z0-9]+)"$/.exec(line);
    if (imp) return SERVICE_PACKAGES.includes(imp[1]);
    const reg = /^\t\t([a-z0-9]+)\.ServicePackage\(ctx\),$/.exec(line);
    if (reg) return SERVICE_PACKAGES.includes(reg[1]);
    return true;
  });
  const registered = kept.filter((l) => /^\t\t[a-z0-9]+\.ServicePackage\(ctx\),$/.test(l)).length;
  if (registered !== SERVICE_PACKAGES.length) {
    throw new Error(`service_packages_gen.go: ${registered} of ${SERVICE_PACKAGES.length} service packages found`);
  }
  return kept.join('\n');
});

// 2. the SDK clients: drop the other methods, then the imports nothing uses any more
edit(path.join('internal', 'conns', 'awsclient_gen.go'), (src) => {
  const methods = /\nfunc \(c \*AWSClient\) ([A-Za-z0-9]+)\(ctx context\.Context\) \*([a-z0-9]+)\.Client \{\n[^]*?\n\}\n/g;
  let found = 0;
  const body = src.replace(methods, (block, name) => {
    if (!CLIENT_METHODS.includes(name)) return '';
    found++;
    return block;
  });
  if (found !== CLIENT_METHODS.length) throw new Error(`awsclient_gen.go: ${found} of ${CLIENT_METHODS.length} client methods found`);
  const [head, rest] = [body.slice(0, body.indexOf(')\n') + 2), body.slice(body.indexOf(')\n') + 2)];
  const imports = head.replace(/^\t(?:([a-z0-9_]+) )?"github\.com\/aws\/aws-sdk-go-v2\/service\/([a-z0-9]+)"\n/gm, (line, alias, pkg) =>
    new RegExp(`\\b${alias || pkg}\\.`).test(rest) ? line : '',
  );
  return imports + rest;
});

fs.writeFileSync('TRIMMED.txt', `service packages: ${SERVICE_PACKAGES.join(' ')}\nclient methods: ${CLIENT_METHODS.join(' ')}\n`);
console.log(`trim-aws-provider: ${SERVICE_PACKAGES.length} service packages, ${CLIENT_METHODS.length} SDK clients kept`);
