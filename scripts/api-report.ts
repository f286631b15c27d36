/**
 * The library's API report: every declaration its entry points export, with its signature, as API Extractor
 * (@microsoft/api-extractor, pinned in package.json) reads the compiled declarations of the package
 * (packages/redis-cache-infra/dist/constructs/…d.ts, written by `npm run build`). The
 * reports are committed (api/redis-cache-infra.api.md, api/redis-cache-infra-local.api.md), and
 * __tests__/integration/package.test.ts fails when the packed library's API differs from them: a change to the
 * surface another team builds on is made on purpose, reviewed in the report's diff.
 *
 *   npm run api            # build, then write the reports of the current API into api/ (after a deliberate change)
 *
 * Exit codes: 0 the reports match (or, with --update, were written); 1 the API differs from the committed reports (the
 * message names the command above) or API Extractor found an error; 2 usage.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Extractor, ExtractorConfig, ExtractorLogLevel, IConfigFile } from '@microsoft/api-extractor';

const ROOT = path.join(__dirname, '..');

/** Where the committed reports are. */
export const API_REPORT_DIR = path.join(ROOT, 'api');

/** The library's package: its package.json, and dist/ once built. */
export const LIBRARY_PACKAGE_DIR = path.join(ROOT, 'packages', 'redis-cache-infra');

/** The command that writes the reports of the current API. */
export const API_REPORT_COMMAND = 'npm run api';

/** The package's entry points (package.json "exports") and their reports. */
export const API_ENTRY_POINTS = [
  { entry: 'dist/constructs/index.d.ts', report: 'redis-cache-infra.api.md' },
  { entry: 'dist/constructs/local/index.d.ts', report: 'redis-cache-infra-local.api.md' },
] as const;

export interface ApiReportResult {
  readonly report: string;
  /** The report of the API as built differs from the committed one. */
  readonly changed: boolean;
  /** Errors and warnings API Extractor reported, besides a changed report. */
  readonly messages: readonly string[];
}

/**
 * The API reports of the built package in `packageDir` (its package.json, dist/): compared with the committed ones, or
 * with `update` written over them.
 */
export function apiReports(packageDir: string, options: { readonly update?: boolean } = {}): ApiReportResult[] {
  const tempDir = path.join(ROOT, 'node_modules', '.cache', 'api-extractor');
  return API_ENTRY_POINTS.map(({ entry, report }) => {
    const configObject: IConfigFile = {
      projectFolder: packageDir,
      mainEntryPointFilePath: path.join(packageDir, entry),
      compiler: {
        overrideTsconfig: {
          compilerOptions: {
            strict: true,
            skipLibCheck: true,
            target: 'ES2022',
            lib: ['ES2022'],
            module: 'commonjs',
            moduleResolution: 'node',
            types: ['node'],
          },
          files: [path.join(packageDir, entry)],
        },
      },
      apiReport: { enabled: true, reportFileName: report, reportFolder: API_REPORT_DIR, reportTempFolder: tempDir },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Warning } },
        extractorMessageReporting: {
          default: { logLevel: ExtractorLogLevel.Warning, addToApiReportFile: false },
          // every declaration is public (the entry points say what is); the doc comments are the source's business
          'ae-missing-release-tag': { logLevel: ExtractorLogLevel.None, addToApiReportFile: false },
          'ae-undocumented': { logLevel: ExtractorLogLevel.None, addToApiReportFile: false },
        },
        tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
      },
    };
    const config = ExtractorConfig.prepare({
      configObject,
      configObjectFullPath: path.join(API_REPORT_DIR, 'api-extractor.json'),
      packageJsonFullPath: path.join(packageDir, 'package.json'),
    });
    const messages: string[] = [];
    const result = Extractor.invoke(config, {
      localBuild: options.update === true,
      messageCallback: (m) => {
        if (m.logLevel === ExtractorLogLevel.Error || m.logLevel === ExtractorLogLevel.Warning) {
          // a changed or new report is this module's verdict, not a message
          if (!m.messageId.startsWith('console-api-report-')) messages.push(m.text);
        }
        m.handled = true;
      },
    });
    return { report, changed: result.apiReportChanged && options.update !== true, messages };
  });
}

function main(argv: readonly string[]): number {
  const unknown = argv.filter((a) => a !== '--update');
  if (unknown.length) {
    process.stderr.write(`api-report: unknown argument ${JSON.stringify(unknown[0])}\nusage: api-report [--update]\n`);
    return 2;
  }
  if (!fs.existsSync(path.join(LIBRARY_PACKAGE_DIR, API_ENTRY_POINTS[0].entry))) {
    process.stderr.write(`api-report: ${API_ENTRY_POINTS[0].entry} does not exist: run npm run build first\n`);
    return 2;
  }
  const results = apiReports(LIBRARY_PACKAGE_DIR, { update: argv.includes('--update') });
  for (const r of results) {
    for (const m of r.messages) process.stderr.write(`api-report: ${r.report}: ${m}\n`);
    if (r.changed)
      process.stderr.write(`api-report: the API differs from api/${r.report}; review the change and run ${API_REPORT_COMMAND}\n`);
    else process.stdout.write(`api-report: api/${r.report} ${argv.includes('--update') ? 'written' : 'matches'}\n`);
  }
  return results.some((r) => r.changed || r.messages.length) ? 1 : 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
