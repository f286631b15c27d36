/**
 * A minimal RESP2 client over TCP or TLS, for tests and benchmarks that talk to a real Redis (no npm client).
 * Commands are pipelined: `send` many, then await them.
 */
import * as net from 'net';
import * as tls from 'tls';

export type RespValue = string | number | null | RespValue[];

/** An error reply from the server (`-ERR …`, `-NOAUTH …`). */
export class RespError extends Error {}

export interface RespConnectOptions {
  readonly port: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Connect with TLS, trusting `ca` (PEM). */
  readonly tls?: { readonly ca: string | Buffer };
  /** Connect, and every reply, must arrive within this many ms. @default 5000 */
  readonly timeoutMs?: number;
}

interface Pending {
  resolve: (v: RespValue) => void;
  reject: (e: Error) => void;
}

const CRLF = '\r\n';

/** Parses one reply at `offset`; undefined when the buffer does not hold all of it yet. */
function parse(buf: Buffer, offset: number): { value: RespValue | RespError; next: number } | undefined {
  const eol = buf.indexOf(CRLF, offset);
  if (eol < 0) return undefined;
  const type = String.fromCharCode(buf[offset]);
  const line = buf.toString('utf8', offset + 1, eol);
  const after = eol + 2;
  switch (type) {
    case '+':
      return { value: line, next: after };
    case '-':
      return { value: new RespError(line), next: after };
    case ':':
      return { value: Number(line), next: after };
    case '$': {
      const len = Number(line);
      if (len < 0) return { value: null, next: after };
      if (buf.length < after + len + 2) return undefined;
      return { value: buf.toString('utf8', after, after + len), next: after + len + 2 };
    }
    case '*': {
      const n = Number(line);
      if (n < 0) return { value: null, next: after };
      const items: RespValue[] = [];
      let next = after;
      for (let i = 0; i < n; i++) {
        const item = parse(buf, next);
        if (!item) return undefined;
        if (item.value instanceof RespError) throw item.value;
        items.push(item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new Error(`RESP: unexpected reply type ${JSON.stringify(type)}`);
  }
}

export class RespClient {
  /** Connects (and, with `password`, authenticates). Rejects when the connection or the handshake fails. */
  static async connect(opts: RespConnectOptions): Promise<RespClient> {
    const host = opts.host ?? '127.0.0.1';
    const timeoutMs = opts.timeoutMs ?? 5000;
    const socket: net.Socket = await new Promise((resolve, reject) => {
      const s = opts.tls
        ? tls.connect({ host, port: opts.port, ca: opts.tls.ca, servername: net.isIP(host) ? undefined : host })
        : net.connect({ host, port: opts.port });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error(`connect ${host}:${opts.port}: timed out`));
      }, timeoutMs);
      s.once(opts.tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        resolve(s);
      });
      s.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    return new RespClient(socket, timeoutMs);
  }

  private buffer: Buffer = Buffer.alloc(0);
  private readonly pending: Pending[] = [];
  private closedWith?: Error;

  private constructor(
    private readonly socket: net.Socket,
    private readonly timeoutMs: number,
  ) {
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('connection closed by the server')));
  }

  /** Sends one command; resolves with the reply, rejects with RespError on an error reply. */
  send(...args: (string | number)[]): Promise<RespValue> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const parts = args.map(String);
    const payload = `*${parts.length}${CRLF}${parts.map((p) => `$${Buffer.byteLength(p)}${CRLF}${p}${CRLF}`).join('')}`;
    return new Promise<RespValue>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new Error(`${parts[0]}: no reply within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.push({
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.socket.write(payload);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer) {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    let offset = 0;
    for (;;) {
      let reply;
      try {
        reply = offset < this.buffer.length ? parse(this.buffer, offset) : undefined;
      } catch (e) {
        this.fail(e as Error);
        return;
      }
      if (!reply) break;
      offset = reply.next;
      const waiter = this.pending.shift();
      if (!waiter) continue;
      if (reply.value instanceof RespError) waiter.reject(reply.value);
      else waiter.resolve(reply.value);
    }
    this.buffer = this.buffer.subarray(offset);
  }

  private fail(e: Error) {
    this.closedWith ??= e;
    this.socket.destroy();
    for (const waiter of this.pending.splice(0)) waiter.reject(e);
  }
}

/** `INFO <section>` as a map of its `field:value` lines. */
export async function info(client: RespClient, section: string): Promise<Record<string, string>> {
  const text = await client.send('INFO', section);
  if (typeof text !== 'string') throw new Error(`INFO ${section}: unexpected reply ${JSON.stringify(text)}`);
  return Object.fromEntries(
    text
      .split(CRLF)
      .filter((l) => l.includes(':'))
      .map((l) => {
        const i = l.indexOf(':');
        return [l.slice(0, i), l.slice(i + 1)];
      }),
  );
}

/** Connects, sends AUTH when a password is given, then PING; resolves with the PING reply and closes. */
export async function ping(opts: RespConnectOptions, password?: string): Promise<RespValue> {
  const client = await RespClient.connect(opts);
  try {
    if (password !== undefined) await client.send('AUTH', password);
    return await client.send('PING');
  } finally {
    client.close();
  }
}
