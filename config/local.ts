/**
 * This project's local Docker Redis (`cdktf deploy local`, stacks/local-stack.ts): its names and the variables that
 * set it. What the container runs and why (images, redis.conf settings, memory limit, health check, password rule)
 * are the LocalRedis construct's defaults (constructs/local/defaults.ts); the memory (maxmemory from the smallest tier
 * of ./scaling.ts) and the eviction policy (./scaling.ts) are passed to it as props.
 */
import { PROJECT } from './environments';

/** Container (and volume prefix) name. */
export const LOCAL_CONTAINER_NAME = `${PROJECT}-local-redis`;

/**
 * The image `npm run deploy:local -- --image-from-host` builds from the host's redis-server (machines without an
 * image registry): named for what it is, tagged with the host's real Redis version (e.g.
 * `isl-cache-redis-from-host:7.0.15`), never as the official `redis:7.2` it is not. The synth of such a deploy sets
 * LOCAL_REDIS_IMAGE to this name, so the stack, its state and the engine's images agree.
 */
export const HOST_IMAGE_REPOSITORY = 'isl-cache-redis-from-host';

/**
 * Programs of the host-built image besides the server and the CLI: the engine's own checkers, what its entrypoint
 * needs to step down to REDIS_USER (id, find, chown, setpriv), and what local:restore and local:repair-aof run in a
 * one-off container.
 */
export const HOST_IMAGE_TOOLS = [
  'redis-check-aof',
  'redis-check-rdb',
  'sh',
  'id',
  'find',
  'chown',
  'setpriv',
  'cp',
  'mv',
  'rm',
  'mkdir',
  'ls',
] as const;

/** Environment variable Terraform reads the chosen password from (TF_VAR_ + PASSWORD_VARIABLE). */
export const PASSWORD_ENV = 'TF_VAR_redis_password';

/** Terraform variable holding a chosen password; Terraform reads it from TF_VAR_redis_password. */
export const PASSWORD_VARIABLE = 'redis_password';

/** Environment variables the local stack reads (documented in the README, "Local Redis for developers"). */
export const LOCAL_ENV = {
  engine: 'LOCAL_REDIS_ENGINE',
  port: 'LOCAL_REDIS_PORT',
  tls: 'LOCAL_REDIS_TLS',
  tlsDir: 'LOCAL_REDIS_TLS_DIR',
  image: 'LOCAL_REDIS_IMAGE',
} as const;
