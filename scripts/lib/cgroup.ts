/**
 * A memory cgroup that holds processes to a container-like memory limit: what `docker run --memory M --memory-swap M`
 * (the local container's `memory` and `memory_swap`) sets up. Root only.
 *
 * cgroup v1 (`memory.limit_in_bytes`, `memory.memsw.limit_in_bytes`, `memory.oom_control`) and cgroup v2 (`memory.max`,
 * `memory.swap.max`, `memory.events`) are both handled. The cgroup is made under the one this process is in, so it stays
 * inside whatever holds the caller.
 */
import { ChildProcess, SpawnOptions, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export interface CgroupStats {
  /** Bytes charged now (anonymous memory, page cache, kernel memory). */
  readonly usage: number;
  /** Highest usage since creation or `resetPeak()` (v1; v2 kernels ≥ 5.19). NaN when the kernel does not tell. */
  readonly peak: number;
  readonly limit: number;
  /** Processes the kernel's OOM killer killed in this cgroup. */
  readonly oomKills: number;
  /** Anonymous memory: Redis's heap and the copy-on-write copies a fork child makes. */
  readonly anon: number;
  /** Page cache (reclaimable once written back). */
  readonly file: number;
  /** Page cache waiting to be written (dirty) or being written: not reclaimable until the disk takes it. */
  readonly dirtyOrWriteback: number;
}

interface Controller {
  readonly version: 1 | 2;
  /** The cgroup directory of this process, under which new cgroups go. */
  readonly parent: string;
}

/** Where this process's memory cgroup is, or why there is none to use. */
export function memoryController(): Controller | string {
  let lines: string[];
  try {
    lines = fs.readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n');
  } catch (e) {
    return `no /proc/self/cgroup (${(e as Error).message})`;
  }
  const fields = lines.map((l) => l.split(':'));
  const v1 = fields.find(([, controllers]) => controllers.split(',').includes('memory'));
  if (v1 && fs.existsSync('/sys/fs/cgroup/memory')) return { version: 1, parent: path.join('/sys/fs/cgroup/memory', v1[2]) };
  const v2 = fields.find(([id]) => id === '0');
  if (v2) {
    const controllers = path.join('/sys/fs/cgroup', 'cgroup.controllers');
    if (fs.existsSync(controllers) && fs.readFileSync(controllers, 'utf8').split(/\s+/).includes('memory')) {
      return { version: 2, parent: path.join('/sys/fs/cgroup', v2[2]) };
    }
  }
  return 'no memory cgroup controller (neither /sys/fs/cgroup/memory nor a cgroup v2 memory controller)';
}

/**
 * Why this process cannot make a memory cgroup (undefined when it can): not root, or no memory controller.
 */
export function cgroupUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return `making a memory cgroup needs root (uid ${String(process.getuid?.())})`;
  const c = memoryController();
  return typeof c === 'string' ? c : undefined;
}

const parseKeyValues = (text: string): Record<string, number | undefined> =>
  Object.fromEntries(
    text
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/))
      .map(([k, v]) => [k, Number(v)]),
  );

export class MemoryCgroup {
  public readonly dir: string;
  public readonly version: 1 | 2;

  /** Makes cgroup `name` with `limitBytes` of memory and no swap. */
  constructor(name: string, limitBytes: number) {
    const c = memoryController();
    if (typeof c === 'string') throw new Error(c);
    this.version = c.version;
    this.dir = path.join(c.parent, name);
    fs.mkdirSync(this.dir, { recursive: true });
    if (this.version === 1) {
      // memsw (memory + swap) must stay ≥ the memory limit: lift it, set the limit, then pin it to the limit (no swap)
      this.tryWrite('memory.memsw.limit_in_bytes', '-1');
      this.write('memory.limit_in_bytes', String(limitBytes));
      this.tryWrite('memory.memsw.limit_in_bytes', String(limitBytes));
    } else {
      this.write('memory.max', String(limitBytes));
      this.tryWrite('memory.swap.max', '0');
    }
  }

  private read(file: string): string {
    return fs.readFileSync(path.join(this.dir, file), 'utf8').trim();
  }

  private write(file: string, value: string): void {
    fs.writeFileSync(path.join(this.dir, file), value);
  }

  private tryWrite(file: string, value: string): void {
    try {
      this.write(file, value);
    } catch {
      // the kernel has no swap accounting: there is no swap to allow either
    }
  }

  /** Starts `command args` inside the cgroup (a shell moves itself in, then execs: the pid is the command's). */
  spawn(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
    const procs = path.join(this.dir, 'cgroup.procs');
    return spawn('/bin/sh', ['-c', 'echo $$ > "$0" && exec "$@"', procs, command, ...args], options);
  }

  stats(): CgroupStats {
    if (this.version === 1) {
      const stat = parseKeyValues(this.read('memory.stat'));
      return {
        usage: Number(this.read('memory.usage_in_bytes')),
        peak: Number(this.read('memory.max_usage_in_bytes')),
        limit: Number(this.read('memory.limit_in_bytes')),
        oomKills: parseKeyValues(this.read('memory.oom_control')).oom_kill ?? 0,
        anon: stat.rss ?? 0,
        file: stat.cache ?? 0,
        dirtyOrWriteback: (stat.dirty ?? 0) + (stat.writeback ?? 0),
      };
    }
    const stat = parseKeyValues(this.read('memory.stat'));
    const hasPeak = fs.existsSync(path.join(this.dir, 'memory.peak'));
    return {
      usage: Number(this.read('memory.current')),
      peak: hasPeak ? Number(this.read('memory.peak')) : NaN,
      limit: Number(this.read('memory.max')),
      oomKills: parseKeyValues(this.read('memory.events')).oom_kill ?? 0,
      anon: stat.anon ?? 0,
      file: stat.file ?? 0,
      dirtyOrWriteback: (stat.file_dirty ?? 0) + (stat.file_writeback ?? 0),
    };
  }

  /** Removes the cgroup once its processes have exited (retries while the kernel still reports it busy). */
  async destroy(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        fs.rmdirSync(this.dir);
        return;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return;
        if (code !== 'EBUSY' || Date.now() > deadline) throw e;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Highest values seen by sampling a cgroup every `everyMs` (the kernel's own peak covers only usage). */
export interface CgroupPeaks {
  readonly samples: number;
  readonly anon: number;
  readonly file: number;
  readonly dirtyOrWriteback: number;
  /** The sample with the highest anonymous memory (the part the kernel cannot reclaim). */
  readonly atPeakAnon?: CgroupStats;
}

export function watchCgroup(cg: MemoryCgroup, everyMs = 50): { stop(): CgroupPeaks } {
  let samples = 0;
  let anon = 0;
  let file = 0;
  let dirtyOrWriteback = 0;
  let atPeakAnon: CgroupStats | undefined;
  const timer = setInterval(() => {
    try {
      const s = cg.stats();
      samples++;
      if (s.anon > anon) atPeakAnon = s;
      anon = Math.max(anon, s.anon);
      file = Math.max(file, s.file);
      dirtyOrWriteback = Math.max(dirtyOrWriteback, s.dirtyOrWriteback);
    } catch {
      // the cgroup is gone
    }
  }, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return { samples, anon, file, dirtyOrWriteback, atPeakAnon };
    },
  };
}
