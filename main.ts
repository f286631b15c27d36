import { App } from 'cdktf';
import { AWS_ENVIRONMENTS, ENVIRONMENTS } from './config/environments';
import { applyGuardrails } from './constructs/guardrails/aspect';
import { CacheEnvironmentStack } from './stacks/environment-stack';
import { LocalStack } from './stacks/local-stack';
import { deploymentSettings } from './stacks/settings';

const app = new App();
for (const name of AWS_ENVIRONMENTS) {
  new CacheEnvironmentStack(app, name, { environment: ENVIRONMENTS[name], deployment: deploymentSettings(name) });
}
new LocalStack(app, 'local'); // developers' Docker Redis (stacks/local-stack.ts)
applyGuardrails(app); // after every stack: guardrails on each (constructs/guardrails/aspect.ts)
app.synth();
