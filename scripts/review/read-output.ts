/** Reading a cdktf output directory (cdktf.out): its stacks' synthesized JSON. */
import * as fs from 'fs';
import * as path from 'path';
import { Block, TfJson } from '../../constructs/guardrails/tf-json';

export function readSynthOutput(dir: string): Record<string, TfJson> {
  const manifestPath = path.join(dir, 'manifest.json');
  const entries: Array<[string, string]> = fs.existsSync(manifestPath)
    ? Object.entries(JSON.parse(fs.readFileSync(manifestPath, 'utf8')).stacks ?? {}).map(([name, s]) => [
        name,
        path.join(dir, (s as Block).synthesizedStackPath),
      ])
    : (fs.existsSync(path.join(dir, 'stacks')) ? fs.readdirSync(path.join(dir, 'stacks')) : [])
        .map((name) => [name, path.join(dir, 'stacks', name, 'cdk.tf.json')] as [string, string])
        .filter(([, file]) => fs.existsSync(file));
  if (!entries.length) throw new Error(`${dir}: no synthesized stacks (expected manifest.json or stacks/<name>/cdk.tf.json)`);
  return Object.fromEntries(entries.map(([name, file]) => [name, JSON.parse(fs.readFileSync(file, 'utf8')) as TfJson]));
}
