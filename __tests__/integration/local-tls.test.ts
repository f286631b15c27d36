/**
 * TLS mode: scripts/local-tls.sh makes a CA and a server certificate; a real redis-server running the rendered
 * TLS config serves only TLS clients that trust that CA.
 */
import { execFileSync } from 'child_process';
import { X509Certificate, createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { LOCAL_HOST, TLS_FILES } from '../../constructs/local/defaults';
import { GuideRedis, removeDir, startGuideRedis, tempDir, withClient } from '../../scripts/lib/redis-server';

const SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'local-tls.sh');

const fingerprints = (dir: string) =>
  Object.fromEntries(
    fs
      .readdirSync(dir)
      .sort()
      .map((f) => [
        f,
        createHash('sha256')
          .update(fs.readFileSync(path.join(dir, f)))
          .digest('hex'),
      ]),
  );

let tlsDir: string;

beforeAll(() => {
  tlsDir = path.join(tempDir('local-tls'), 'certs');
  execFileSync('bash', [SCRIPT, tlsDir], { stdio: 'pipe', timeout: 20000 });
});

afterAll(() => {
  if (tlsDir) removeDir(path.dirname(tlsDir));
});

describe('scripts/local-tls.sh', () => {
  it('makes a CA and a server certificate it signed for localhost and 127.0.0.1', () => {
    const ca = new X509Certificate(fs.readFileSync(path.join(tlsDir, TLS_FILES.caCert)));
    const cert = new X509Certificate(fs.readFileSync(path.join(tlsDir, TLS_FILES.cert)));
    expect(ca.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkIP(LOCAL_HOST)).toBe(LOCAL_HOST);
    expect(fs.statSync(path.join(tlsDir, TLS_FILES.key)).mode & 0o077).toBe(0);
  });

  it('is idempotent: a second run keeps every file', () => {
    const before = fingerprints(tlsDir);
    execFileSync('bash', [SCRIPT, tlsDir], { stdio: 'pipe', timeout: 20000 });
    expect(fingerprints(tlsDir)).toEqual(before);
  });
});

describe('redis-server in TLS mode', () => {
  let redis: GuideRedis;
  let ca: Buffer;

  beforeAll(async () => {
    ca = fs.readFileSync(path.join(tlsDir, TLS_FILES.caCert));
    redis = await startGuideRedis('local-redis-tls', {
      tls: {
        certFile: path.join(tlsDir, TLS_FILES.cert),
        keyFile: path.join(tlsDir, TLS_FILES.key),
        caCertFile: path.join(tlsDir, TLS_FILES.caCert),
      },
    });
  });

  afterAll(async () => {
    await (redis as GuideRedis | undefined)?.stop();
  });

  it('refuses a plaintext client', async () => {
    await expect(withClient({ port: redis.port, password: redis.password }, (c) => c.ping())).rejects.toThrow(
      /Connection is closed|ECONNRESET|Stream isn't writeable/,
    );
  });

  it('refuses a TLS client that does not trust the generated CA', async () => {
    await expect(withClient({ port: redis.port, password: redis.password, tls: {} }, (c) => c.ping())).rejects.toThrow(
      /self[- ]signed certificate/,
    );
  });

  it('serves an ioredis client that trusts the generated CA, with the password and only with it', async () => {
    await expect(withClient({ port: redis.port, tls: { ca } }, (c) => c.ping())).rejects.toThrow(/^NOAUTH/);
    await expect(withClient({ port: redis.port, password: redis.password, tls: { ca } }, (c) => c.ping())).resolves.toBe('PONG');
    // and by the name on the certificate, as an application configured with REDIS_HOST=localhost connects
    await expect(withClient({ host: 'localhost', port: redis.port, password: redis.password, tls: { ca } }, (c) => c.ping())).resolves.toBe(
      'PONG',
    );
  });
});
