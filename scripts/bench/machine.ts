/** The machine a benchmark ran on, and the CPU share the hypervisor took (steal) while it ran. Linux; elsewhere less. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { firstLine } from './common';

export interface CpuTimes {
  readonly steal: number;
  readonly total: number;
}

/** CPU time counters of /proc/stat (Linux), to report the share the hypervisor took (steal) during a section. */
export function cpuTimes(): CpuTimes | undefined {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
    return { steal: f[7] ?? 0, total: f.reduce((a, b) => a + b, 0) };
  } catch {
    return undefined;
  }
}

/** Steal since `before`, percent of all CPU time, one decimal. */
export function stealPercent(before: CpuTimes | undefined): number | undefined {
  const after = cpuTimes();
  if (!before || !after || after.total === before.total) return undefined;
  return Math.round(((after.steal - before.steal) / (after.total - before.total)) * 1000) / 10;
}

function describeDisk(dir: string) {
  try {
    const mounts = fs
      .readFileSync('/proc/mounts', 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' '));
    const real = fs.realpathSync(dir);
    const m = mounts
      .filter(([, mp]) => real === mp || real.startsWith(mp.endsWith('/') ? mp : `${mp}/`))
      .sort((a, b) => b[1].length - a[1].length)
      .at(0);
    if (!m) return undefined;
    const dev = path.basename(m[0]);
    const rot = (() => {
      try {
        return fs.readFileSync(`/sys/class/block/${dev}/queue/rotational`, 'utf8').trim() === '1';
      } catch {
        return undefined;
      }
    })();
    return { device: m[0], fsType: m[2], rotational: rot, virtio: /^vd[a-z]/.test(dev) };
  } catch {
    return undefined;
  }
}

export function describeMachine() {
  const cpus = os.cpus();
  let osName = `${os.type()} ${os.release()}`;
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(fs.readFileSync('/etc/os-release', 'utf8'));
    if (pretty) osName = `${pretty[1]} (kernel ${os.release()})`;
  } catch {
    /* not Linux */
  }
  let hypervisor = false;
  try {
    hypervisor = /^flags\s*:.*\bhypervisor\b/m.test(fs.readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    /* not Linux */
  }
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    virtualMachine: hypervisor,
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: osName,
    node: process.version,
    redisServer: firstLine('redis-server', ['--version']),
    redisBenchmark: firstLine('redis-benchmark', ['--version']),
    tmpDisk: describeDisk(os.tmpdir()),
  };
}

export type Machine = ReturnType<typeof describeMachine>;

/** One line for the report: `Machine: 2 × AMD EPYC (VM), 23.5 GiB, Debian …`. */
export function machineLine(machine: Machine): string {
  const d = machine.tmpDisk;
  return (
    `Machine: ${machine.cpus} × ${machine.cpuModel}${machine.virtualMachine ? ' (VM)' : ''}, ${machine.memoryGiB} GiB, ` +
    `${machine.os}, node ${machine.node}, redis-server ${/v=(\S+)/.exec(machine.redisServer ?? '')?.[1] ?? 'not found'}` +
    `${d ? `; temp dir on ${d.device} (${d.fsType}${d.virtio ? ', virtio' : ''})` : ''}.`
  );
}
