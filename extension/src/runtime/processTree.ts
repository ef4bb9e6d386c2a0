// Ends a process and everything it started. The runtime worker runs nvcc in process groups of
// their own (so the addon's compile time limit can end a compiler's whole tree); a worker killed
// for hanging would otherwise leave those compilers running. On Linux the tree is found through
// /proc: the worker is stopped first (it can start nothing new), then its descendants are
// stopped as they are found, then all of them, and their process groups, are killed. Elsewhere
// only the process itself is killed.
import { readdirSync, readFileSync } from 'node:fs';

interface Proc {
  pid: number;
  ppid: number;
  pgid: number;
}

function readProc(pid: number): Proc | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(fields[1]), pgid: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

function allProcs(): Proc[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  return names
    .filter((n) => /^\d+$/.test(n))
    .map((n) => readProc(Number(n)))
    .filter((p): p is Proc => p !== undefined);
}

/** Every process below `root` (children, grandchildren, ...), from /proc; [] where there is none. */
export function descendants(root: number, procs: Proc[] = allProcs()): Proc[] {
  const children = new Map<number, Proc[]>();
  for (const p of procs) {
    const list = children.get(p.ppid);
    if (list) list.push(p);
    else children.set(p.ppid, [p]);
  }
  const out: Proc[] = [];
  const queue = [root];
  const seen = new Set<number>([root]);
  while (queue.length) {
    for (const c of children.get(queue.shift()!) ?? []) {
      if (seen.has(c.pid)) continue;
      seen.add(c.pid);
      out.push(c);
      queue.push(c.pid);
    }
  }
  return out;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

/** SIGKILLs `pid`, every process it started (found while they are all stopped) and their own process groups. */
export function killTree(pid: number): void {
  signal(pid, 'SIGSTOP');
  const found = new Map<number, Proc>();
  // Stopped processes start nothing; a child being created as we look shows up on the next pass.
  for (let pass = 0; pass < 5; pass++) {
    const fresh = descendants(pid).filter((p) => !found.has(p.pid));
    if (fresh.length === 0) break;
    for (const p of fresh) {
      found.set(p.pid, p);
      signal(p.pid, 'SIGSTOP');
    }
  }
  const ownGroup = readProc(pid)?.pgid;
  for (const p of found.values()) {
    // A compiler leads its own group: killing the group also reaches what it left behind.
    if (p.pgid === p.pid && p.pgid !== ownGroup) signal(-p.pgid, 'SIGKILL');
    signal(p.pid, 'SIGKILL');
  }
  signal(pid, 'SIGKILL');
}
