/**
 * The synthesized-JSON reader: ./core.ts (the JSON's shape, resources, expressions, the provider's region and the
 * stack's environment), ./refs.ts (what an expression refers to), ./replication-group.ts (a replication group's
 * layout and the secrets that read its endpoints). One module for the guardrails, an app's synth and the tools.
 */
export * from './core';
export * from './refs';
export * from './replication-group';
