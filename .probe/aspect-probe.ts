import { App, Aspects, IAspect, TerraformStack, Testing } from 'cdktf';
import { IConstruct } from 'constructs';
import { deploymentSettings } from '../config/deployment';
import { ENVIRONMENTS } from '../config/environments';
import { CacheEnvironmentStack } from '../stacks/environment-stack';
class A implements IAspect { visit(n: IConstruct) { if (TerraformStack.isStack(n)) console.log('visited', n.node.path); } }
const app = new App({ outdir: '/tmp/rv/out' });
Aspects.of(app).add(new A());
const s = new CacheEnvironmentStack(app, 'production', { environment: ENVIRONMENTS.production, deployment: deploymentSettings('production', {}) });
console.time('synth');
app.synth();
console.timeEnd('synth');
console.time('tsynth');
const j = JSON.parse(Testing.synth(s));
console.timeEnd('tsynth');
console.log(Object.keys(j), JSON.stringify(j.provider).slice(0,200));
