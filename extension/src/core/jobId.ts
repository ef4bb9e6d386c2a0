// The one way to name a job the host sends to the worker (progress, cancel and measurement
// notifications carry it back). A benchmark's job id is also its saved run's id, so it starts with
// the time: saved runs then sort by when they started.
export type JobKind = 'run' | 'grouped' | 'mqa' | 'study' | 'explorer' | 'tune';

export function newJobId(kind: JobKind, now = new Date(), random = Math.random): string {
  const tail = random().toString(36).slice(2, 8).padEnd(6, '0');
  return kind === 'run'
    ? `${now.toISOString().replace(/[:]/g, '-')}-${tail}`
    : `${kind}-${now.getTime().toString(36)}-${tail}`;
}
