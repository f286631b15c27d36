/**
 * The offline prediction held to reality on the local stack: the stack is deployed for real (the engine, the mirror's
 * Docker and random providers, a Docker engine this test starts), then each change a developer makes (port, engine,
 * TLS, password, memory) is planned by the engine against that state (`npm run plan`'s functions), reviewed from the
 * plan (`npm run review -- --plan`), and compared with what the offline review predicts from the two syntheses. Some
 * are then applied for real: the container is replaced (a new id) and the data in the volume survives.
 * One real deploy and one plan per change, shared by the cases.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdktf';
import { LOCAL_CONTAINER_NAME } from '../../config/local';
import { DockerEngine, hostImageName } from '../../scripts/lib/docker';
import { freeLoopbackPort, withClient } from '../../scripts/lib/redis-server';
import { PlanJson, planEngine } from '../../scripts/review/read-plan';
import { StackReview, review } from '../../scripts/review/review';
import { renderMarkdown } from '../../scripts/review/markdown';
import { main as reviewCli } from '../../scripts/review';
import { deployLocal, LocalDeployResult } from '../../scripts/tools/local-deploy';
import { planWorkDir, stackWorkDir } from '../../scripts/tools/plan';
import { readStacks, SynthStack, tempDir, Tools } from '../../scripts/tools/tools';
import { dockerTestsRun, mustHaveTools, toolsForTests } from '../helpers/tools';
import { execFileSync } from 'child_process';

const ROOT = path.join(__dirname, '..', '..');
const NEEDS = ['engine', 'docker', 'random'] as const;
const t = toolsForTests(process.env, NEEDS);
const runs = dockerTestsRun(t);

let tools: Tools;
let docker: DockerEngine;
let work: string;
let statePath: string;

/** The local stack synthesized with these LOCAL_REDIS_* settings (and pilot's expected users, which size its memory). */
function synthLocal(name: string, given: Record<string, string>, pilotUsers?: number, containerName?: string): SynthStack {
  const outdir = path.join(work, `out-${name}`);
  // Redis from the host's redis-server (no image registry here), as deploy:local --image-from-host synthesizes it
  const env = given.LOCAL_REDIS_ENGINE === 'valkey' ? given : { LOCAL_REDIS_IMAGE: hostImageName(), ...given };
  jest.isolateModules(() => {
    if (pilotUsers !== undefined) {
      jest.doMock('../../config/scaling', () => {
        const actual = jest.requireActual<typeof import('../../config/scaling')>('../../config/scaling');
        return { ...actual, EXPECTED_USERS: { ...actual.EXPECTED_USERS, pilot: pilotUsers } };
      });
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh module graph per configuration (isolateModules)
    const { LocalStack } = require('../../stacks/local-stack') as typeof import('../../stacks/local-stack');
    const app = new App({ outdir });
    new LocalStack(app, 'local', { env, containerName });
    app.synth();
  });
  const stack = readStacks(outdir).find((s) => s.name === 'local');
  if (!stack) throw new Error(`no local stack in ${outdir}`);
  return stack;
}

async function plan(name: string, stack: SynthStack, vars: Record<string, string> = {}): Promise<PlanJson> {
  const workDir = path.join(work, `plan-${name}`);
  stackWorkDir(stack, workDir, { statePath, vars });
  const p = await planWorkDir(tools, workDir, 'local', { env: { DOCKER_HOST: docker.host }, text: false });
  if (!p.json) throw new Error(`plan ${name} failed:\n${p.error ?? ''}`);
  return p.json;
}

async function deploy(stack: SynthStack, env: NodeJS.ProcessEnv = {}): Promise<LocalDeployResult> {
  const saved = { ...process.env };
  Object.assign(process.env, env); // TF_VAR_redis_password reaches the engine through its environment
  try {
    const r = await deployLocal({
      outdir: path.dirname(path.dirname(stack.dir)),
      synth: false,
      tools,
      workDir: path.join(work, 'deploy'),
      statePath,
      dockerHost: docker.host,
      imageFromHost: true,
    });
    if (!r.ok) throw new Error(`deploy failed:\n${r.output}`);
    return r;
  } finally {
    for (const k of Object.keys(env)) if (!(k in saved)) Reflect.deleteProperty(process.env, k);
  }
}

/** The plan-based review of one change, and the offline one of the same two syntheses. */
function reviews(base: SynthStack, head: SynthStack, p: PlanJson): { planned: StackReview; offline: StackReview } {
  const planned = review(
    { local: head.json },
    { local: base.json },
    {},
    { local: { stack: 'local', file: 'local.json', plan: p, engine: 'x' } },
  );
  const offline = review({ local: head.json }, { local: base.json });
  return { planned: planned.stacks[0], offline: offline.stacks[0] };
}

const actions = (r: StackReview) => r.resources.map((x) => `${x.action} ${x.type}`).sort();
const containerId = async () => (await docker.docker.getContainer(LOCAL_CONTAINER_NAME).inspect()).Id;

(runs ? describe : describe.skip)('the local stack: the offline prediction held to real plans and applies', () => {
  const s = {} as Record<'base' | 'port' | 'tls' | 'valkey' | 'memory' | 'renamed', SynthStack>;
  const plans = {} as Record<'port' | 'tls' | 'valkey' | 'memory' | 'password' | 'renamed', PlanJson>;
  let ports: [number, number];
  let first: LocalDeployResult;

  beforeAll(async () => {
    tools = mustHaveTools(t, process.env, NEEDS);
    work = tempDir('isl-plan-local-');
    statePath = path.join(work, 'terraform.local.tfstate');
    const tlsDir = path.join(work, 'tls');
    execFileSync('bash', [path.join(ROOT, 'scripts/local-tls.sh'), tlsDir], { stdio: 'pipe', timeout: 20000 });
    ports = [await freeLoopbackPort(), await freeLoopbackPort()];
    s.base = synthLocal('base', { LOCAL_REDIS_PORT: String(ports[0]) });
    s.port = synthLocal('port', { LOCAL_REDIS_PORT: String(ports[1]) });
    s.tls = synthLocal('tls', { LOCAL_REDIS_PORT: String(ports[0]), LOCAL_REDIS_TLS: '1', LOCAL_REDIS_TLS_DIR: tlsDir });
    s.valkey = synthLocal('valkey', { LOCAL_REDIS_PORT: String(ports[0]), LOCAL_REDIS_ENGINE: 'valkey' });
    s.memory = synthLocal('memory', { LOCAL_REDIS_PORT: String(ports[0]) }, 500);
    s.renamed = synthLocal('renamed', { LOCAL_REDIS_PORT: String(ports[0]) }, undefined, 'isl-cache-local-redis-2');
    docker = await DockerEngine.connect({ ownEngine: true });
    first = await deploy(s.base);
    plans.port = await plan('port', s.port);
    plans.tls = await plan('tls', s.tls);
    plans.valkey = await plan('valkey', s.valkey);
    plans.memory = await plan('memory', s.memory);
    plans.password = await plan('password', s.base, { redis_password: 'a-new-Password-0123456789' });
    plans.renamed = await plan('renamed', s.renamed);
  }, 240000);

  afterAll(async () => {
    await (docker as DockerEngine | undefined)?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  }, 60000);

  test.each<['port' | 'tls' | 'valkey' | 'memory', string[]]>([
    ['port', ['replace docker_container']],
    ['tls', ['replace docker_container']],
    ['valkey', ['replace docker_container', 'replace docker_image']],
    ['memory', ['replace docker_container']],
  ])('%s change: the plan and the offline prediction agree on every resource', (change, expected) => {
    const { planned, offline } = reviews(s.base, s[change], plans[change]);
    expect(actions(planned)).toEqual(expected);
    expect(actions(offline)).toEqual(expected);
    expect(planned.plan?.prediction).toMatchObject({ differs: [], unproven: [] });
    expect(planned.plan?.prediction?.agreed.map((a) => `${a.action} ${a.resource.split('.')[0]}`).sort()).toEqual(expected);
    // the volume stays: no data loss, neither predicted nor planned
    expect([planned.resources.some((x) => x.dataLoss), offline.resources.some((x) => x.dataLoss)]).toEqual([false, false]);
  });

  test('a renamed container replaces the volume: data loss, said first, and --fail-on-data-loss exits 1 on the real plan', () => {
    const { planned, offline } = reviews(s.base, s.renamed, plans.renamed);
    expect(actions(planned)).toEqual(['replace docker_container', 'replace docker_volume']);
    expect(planned.plan?.prediction).toMatchObject({ differs: [], unproven: [] });
    expect(planned.resources.filter((r) => r.dataLoss).map((r) => r.type)).toEqual(['docker_volume']);
    expect(offline.resources.filter((r) => r.dataLoss).map((r) => r.type)).toEqual(['docker_volume']);
    // the CLI on the plan file, as CI runs it
    const planDir = path.join(work, 'plans-renamed');
    fs.mkdirSync(planDir);
    fs.writeFileSync(path.join(planDir, 'local.json'), JSON.stringify(plans.renamed));
    const outDir = path.dirname(path.dirname(s.renamed.dir));
    let stdout = '';
    let stderr = '';
    const out = jest.spyOn(process.stdout, 'write').mockImplementation((x) => ((stdout += String(x)), true));
    const err = jest.spyOn(process.stderr, 'write').mockImplementation((x) => ((stderr += String(x)), true));
    let code: number;
    try {
      code = reviewCli(['--out-dir', outDir, '--plan', planDir, '--fail-on-data-loss']);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
    expect(code).toBe(1);
    expect(stderr).toMatch(/^review: data loss in local: docker_volume\.\S+\n$/m);
    expect(stdout.split('\n')[2]).toMatch(/^> ⛔ \*\*local:\*\* docker_volume\.\S+: DATA LOSS: replaced without keeping its data$/);
  });

  test('which argument forces the replacement: the plan names the same one the prediction does', () => {
    const { planned, offline } = reviews(s.base, s.port, plans.port);
    const forcing = (r: StackReview) => r.resources[0].attributes.filter((a) => a.replaces).map((a) => a.attribute);
    expect(forcing(planned)).toEqual(['ports']);
    expect(forcing(offline)).toEqual(['ports']);
  });

  test('a password set at deploy time (TF_VAR_redis_password): only the plan sees it; the review says the prediction differs', () => {
    const { planned, offline } = reviews(s.base, s.base, plans.password);
    expect(actions(offline)).toEqual([]);
    expect(actions(planned)).toEqual(['replace docker_container']);
    expect(planned.plan?.prediction?.differs).toEqual([
      { resource: expect.stringMatching(/^docker_container\./), predicted: 'no change', planned: 'replace' },
    ]);
    const md = renderMarkdown(
      review(
        { local: s.base.json },
        { local: s.base.json },
        {},
        { local: { stack: 'local', file: 'local.json', plan: plans.password, engine: 'Terraform 1.11.4' } },
      ),
    );
    expect(md).toContain('**Offline prediction held to this plan:** agrees on 0 changed resources; **differs on 1**: `docker_container.');
    expect(md).not.toContain('a-new-Password-0123456789'); // the password reaches neither the plan JSON (redacted) nor the review
    expect(JSON.stringify(plans.password)).not.toContain('a-new-Password-0123456789');
    expect(JSON.stringify(plans.port)).not.toContain(String(first.outputs?.redis_password.value));
  });

  test('the port change applied for real: a new container on the new port, the data in the volume kept', async () => {
    const password = String(first.outputs?.redis_password.value);
    await withClient({ port: ports[0], password }, (c) => c.set('witness', 'kept'));
    await withClient({ port: ports[0], password }, (c) => c.call('SAVE'));
    const before = await containerId();
    const r = await deploy(s.port);
    expect(r.outputs?.redis_port.value).toBe(ports[1]);
    expect(await containerId()).not.toBe(before);
    await expect(withClient({ port: ports[1], password }, (c) => c.get('witness'))).resolves.toBe('kept');
  }, 120000);

  test("OpenTofu's format (a real plan without Terraform's applyable/complete, with a forget action): read as OpenTofu; forgetting is no data loss", () => {
    // tofu cannot be built cheaply here: the real plan of the port change, turned into what OpenTofu's documented
    // format differs in (website/docs/internals/json-format.mdx: no applyable/complete, the action "forget")
    const rest: PlanJson & { applyable?: boolean; complete?: boolean } = { ...plans.port };
    delete rest.applyable;
    delete rest.complete;
    const tofu: PlanJson = {
      ...rest,
      terraform_version: '1.10.6',
      resource_changes: (plans.port.resource_changes ?? []).map((rc) =>
        rc.type === 'docker_volume' ? { ...rc, change: { ...rc.change, actions: ['forget'], after: null } } : rc,
      ),
    };
    const md = renderMarkdown(
      review(
        { local: s.port.json },
        undefined,
        {},
        { local: { stack: 'local', file: 'local.json', plan: tofu, engine: planEngine(tofu) } },
      ),
    );
    expect(planEngine(tofu)).toBe('OpenTofu 1.10.6 (or Terraform < 1.8)');
    expect(planEngine(plans.port)).toMatch(/^Terraform 1\.\d+\.\d+$/);
    expect(md).toMatch(
      /\| `docker_volume\.\S+` \| \*\*delete\*\* \| removed from the state \(the object stays\)<br>_removed from the state only: the object itself stays, no longer managed by Terraform_ \|/,
    );
    expect(md).not.toContain('DATA LOSS');
  });

  test('the password change applied for real: the container is replaced and only the new password works', async () => {
    const before = await containerId();
    await deploy(s.port, { TF_VAR_redis_password: 'a-new-Password-0123456789' });
    expect(await containerId()).not.toBe(before);
    await expect(withClient({ port: ports[1], password: 'a-new-Password-0123456789' }, (c) => c.get('witness'))).resolves.toBe('kept');
    await expect(withClient({ port: ports[1], password: String(first.outputs?.redis_password.value) }, (c) => c.ping())).rejects.toThrow(
      /WRONGPASS/,
    );
  }, 120000);

  test('drift: a container removed outside Terraform is shown, and this apply creates it again', async () => {
    await docker.docker.getContainer(LOCAL_CONTAINER_NAME).remove({ force: true });
    const p = await plan('drift', s.port, { redis_password: 'a-new-Password-0123456789' });
    const r = review({ local: s.port.json }, undefined, {}, { local: { stack: 'local', file: 'local.json', plan: p, engine: 'x' } })
      .stacks[0];
    expect(r.plan?.drift.map((d) => `${d.action} ${d.type}: ${d.thisApply}`)).toEqual([
      'delete docker_container: this apply creates it again',
    ]);
    expect(actions(r)).toEqual(['create docker_container']);
  }, 60000);
});
