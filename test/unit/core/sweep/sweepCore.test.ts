// The sweep's pure parts: the plan, the sbatch argv, the parsers of Slurm's machine-readable
// outputs (the texts below are what Slurm 22.05 printed on the test cluster), and how a task's state
// follows from the scheduler, the results and the submissions.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  arraySpec,
  expandArraySpec,
  parseSacct,
  parseSbatchJobId,
  parseScontrolJobs,
  parseSqueue,
  sbatchArgv,
  slurmErrorText,
  slurmOptionsProblem,
} from '../../../../extension/src/core/sweep/slurm';
import { parseSweepShape, planProblem, planSweep } from '../../../../extension/src/core/sweep/sweepPlan';
import { decodeTaskResult, encodeTaskResult, type TaskResult } from '../../../../extension/src/core/sweep/taskResult';
import {
  countsText,
  taskStatuses,
  type StatusInputs,
  type Submission,
} from '../../../../extension/src/core/sweep/taskStatus';
import { localSlots } from '../../../../extension/src/runtime/sweep/localBackend';

const plan = planSweep({
  id: 'sw1',
  createdAt: '2026-12-06T00:00:00Z',
  verb: 'compile',
  cacheDir: '/shared/jit',
  problems: [64, 128, 4096, 256, 512].map((m) => ({ kind: 'normal' as const, m, n: 7168, k: 2048 })),
  perTask: 2,
});

test('a plan cuts the shapes into tasks of --per-task shapes, in order, and checks itself when read back', () => {
  assert.deepEqual(
    plan.tasks.map((t) => t.problems.map((p) => p.m)),
    [[64, 128], [4096, 256], [512]],
  );
  assert.deepEqual(
    plan.options,
    { top: 1, rounds: 10, peer: false },
    'compile builds only the heuristic choice unless --top asks for more',
  );
  assert.equal(planProblem(JSON.parse(JSON.stringify(plan))), undefined);
  assert.match(planProblem({ ...plan, tasks: [{ index: 1, problems: [] }] })!, /task 0 of the sweep plan is malformed/);
  assert.match(planProblem({ ...plan, cacheDir: 'rel' })!, /absolute JIT cache/);
  assert.throws(
    () => planSweep({ id: 'x', createdAt: '', verb: 'tune', cacheDir: '/c', problems: [] }),
    /at least one shape/,
  );
});

test('sweep shapes: the rules of every GPU at submit time, the memory rule left to the node', () => {
  assert.equal(parseSweepShape('2000000000,7168,7168').ok, true);
  const bad = parseSweepShape('64,7168,100');
  assert.equal(bad.ok, false);
  assert.match((bad as { message: string }).message, /K must be a multiple of 128/);
});

test('sbatch argv: one word per option, the array with its %K, --gres only when GPUs are asked for', () => {
  const argv = sbatchArgv(
    { partition: 'h20', account: 'ml', timeLimit: '1:30:00', gpusPerTask: 1, concurrency: 8 },
    {
      indices: [0, 1, 2, 3, 7, 9],
      jobName: 'fp8lab-tune',
      workDir: '/shared/s 1',
      outputPattern: '/shared/s 1/logs/task-%a.%A.log',
      script: '/shared/s 1/job.sh',
      scriptArgs: ['/usr/bin/node', '/opt/fp8lab/cli.js', '/shared/s 1'],
    },
  );
  assert.deepEqual(argv, [
    '--parsable',
    '--job-name=fp8lab-tune',
    '--array=0-3,7,9%8',
    '--chdir=/shared/s 1',
    '--output=/shared/s 1/logs/task-%a.%A.log',
    '--ntasks=1',
    '--partition=h20',
    '--account=ml',
    '--time=1:30:00',
    '--gres=gpu:1',
    '/shared/s 1/job.sh',
    '/usr/bin/node',
    '/opt/fp8lab/cli.js',
    '/shared/s 1',
  ]);
  assert.ok(
    !sbatchArgv(
      { gpusPerTask: 0 },
      { indices: [0], jobName: 'j', workDir: '/w', outputPattern: '/w/o', script: '/w/j', scriptArgs: [] },
    ).some((a) => a.startsWith('--gres')),
  );
  assert.equal(arraySpec([5, 3, 4, 4]), '3-5');
  assert.deepEqual(expandArraySpec('[2-3%2]'), [2, 3]);
  assert.deepEqual(expandArraySpec('0-6:3,9'), [0, 3, 6, 9]);
  assert.match(slurmOptionsProblem({ gpusPerTask: 1, partition: 'a;rm -rf' })!, /not a Slurm partition name/);
  assert.match(slurmOptionsProblem({ gpusPerTask: 1, timeLimit: '2h' })!, /not in a Slurm format/);
  for (const t of ['30', '30:00', '1:00:00', '2-0', '2-12:00', '2-12:00:00'])
    assert.equal(slurmOptionsProblem({ gpusPerTask: 0, timeLimit: t }), undefined, t);
  assert.equal(parseSbatchJobId('1234\n'), '1234');
  assert.equal(parseSbatchJobId('1234;cluster\n'), '1234');
  assert.equal(parseSbatchJobId('Submitted batch job 12\n'), undefined);
  assert.equal(
    slurmErrorText(
      'sbatch: error: invalid partition specified: nope\nsbatch: error: Batch job submission failed: Invalid partition name specified\n',
    ),
    'sbatch: error: Batch job submission failed: Invalid partition name specified',
  );
});

test('squeue, sacct and scontrol outputs become one state per array element', () => {
  assert.deepEqual(parseSqueue('1_3|RUNNING|vm|None\n1_[4-5%2]|PENDING||JobArrayTaskLimit\n'), [
    { jobId: '1', index: 3, state: 'RUNNING', node: 'vm' },
    { jobId: '1', index: 4, state: 'PENDING', reason: 'JobArrayTaskLimit' },
    { jobId: '1', index: 5, state: 'PENDING', reason: 'JobArrayTaskLimit' },
  ]);
  assert.deepEqual(
    parseSacct(
      '7_0|COMPLETED|n12|0:0\n7_0.batch|COMPLETED|n12|0:0\n7_1|CANCELLED by 1000|n13|0:15\n7_2|PENDING|None assigned|0:0\n',
    ),
    [
      { jobId: '7', index: 0, state: 'COMPLETED', node: 'n12', exitCode: '0:0' },
      { jobId: '7', index: 1, state: 'CANCELLED', node: 'n13', exitCode: '0:15' },
      { jobId: '7', index: 2, state: 'PENDING', exitCode: '0:0' },
    ],
  );
  const scontrol =
    'JobId=3 ArrayJobId=1 ArrayTaskId=1 ArrayTaskThrottle=2 JobName=j.sh UserId=root(0) JobState=COMPLETED Reason=None ExitCode=0:0 NodeList=vm BatchHost=vm\n' +
    'JobId=1 ArrayJobId=1 ArrayTaskId=2-3%2 JobState=CANCELLED Reason=None ExitCode=0:0 NodeList=(null)\n';
  assert.deepEqual(parseScontrolJobs(scontrol), [
    { jobId: '1', index: 1, state: 'COMPLETED', node: 'vm', exitCode: '0:0' },
    { jobId: '1', index: 2, state: 'CANCELLED', exitCode: '0:0' },
    { jobId: '1', index: 3, state: 'CANCELLED', exitCode: '0:0' },
  ]);
});

function result(task: number, attempt: string, ok = true): TaskResult {
  return {
    kind: 'fp8lab.sweep-result',
    version: 1,
    sweepId: 'sw1',
    task,
    attempt,
    verb: 'compile',
    node: 'n1',
    startedAt: '2026-12-06T00:00:00Z',
    finishedAt: '2026-12-06T00:01:00Z',
    ok,
    kernelHash: 'a'.repeat(64),
    shapes: plan.tasks[task].problems.map((problem) =>
      ok ? { problem } : { problem, error: { code: 'E_INVALID_SHAPE', message: 'too big' } },
    ),
  };
}

test('task states: results of the latest attempt win, then the scheduler; forgotten tasks of a cancelled job are cancelled', () => {
  const subs: Submission[] = [
    { attempt: '10', backend: 'slurm', tasks: [0, 1, 2], submittedAt: '' },
    { attempt: '11', backend: 'slurm', tasks: [2], submittedAt: '' },
  ];
  const inputs: StatusInputs = {
    plan,
    submissions: subs,
    cancellations: [],
    results: new Map([
      [0, result(0, '10')],
      [1, result(1, '10', false)],
      [2, result(2, '10')],
    ]),
    unreadable: new Map(),
    scheduler: [{ jobId: '11', index: 2, state: 'RUNNING', node: 'n7' }],
  };
  const s = taskStatuses(inputs);
  assert.deepEqual(
    s.map((x) => [x.phase, x.node, x.attempt]),
    [
      ['done', 'n1', '10'],
      ['failed', 'n1', '10'],
      ['running', 'n7', '11'],
    ],
  );
  assert.match(s[1].detail!, /64x7168x2048|4096x7168x2048: \[E_INVALID_SHAPE\] too big/);
  assert.equal(countsText(s), '3 task(s): 1 done, 1 running, 1 failed');
  // The retry's job left the queue without a result: cancelled if we cancelled it, else lost (failed).
  const gone = { ...inputs, scheduler: [] };
  assert.equal(taskStatuses(gone)[2].phase, 'failed');
  assert.match(taskStatuses(gone)[2].detail!, /no longer knows/);
  assert.equal(taskStatuses({ ...gone, cancellations: [{ attempt: '11', at: '' }] })[2].phase, 'cancelled');
  // Completed without a usable result file: failed, saying why.
  const torn = {
    ...inputs,
    results: new Map([[0, result(0, '10')]]),
    unreadable: new Map([[1, 'cut short (no final newline)']]),
    scheduler: [
      { jobId: '10', index: 1, state: 'COMPLETED', node: 'n2' },
      { jobId: '11', index: 2, state: 'PENDING', reason: 'Priority' },
    ],
  };
  assert.deepEqual(
    taskStatuses(torn).map((x) => [x.phase, x.detail]),
    [
      ['done', undefined],
      ['failed', 'its result file is unusable: cut short (no final newline)'],
      ['pending', 'Priority'],
    ],
  );
});

test('a result file reads back only whole, checksummed and of its own sweep and task', () => {
  const text = encodeTaskResult(result(1, '10'));
  assert.equal(decodeTaskResult(text, { sweepId: 'sw1', task: 1 }).ok, true);
  assert.match(
    (decodeTaskResult(text.slice(0, -20), { sweepId: 'sw1', task: 1 }) as { reason: string }).reason,
    /cut short/,
  );
  assert.match(
    (decodeTaskResult(text.replace('"n1"', '"n2"'), { sweepId: 'sw1', task: 1 }) as { reason: string }).reason,
    /checksum mismatch/,
  );
  assert.match(
    (decodeTaskResult(text, { sweepId: 'other', task: 1 }) as { reason: string }).reason,
    /belongs to sweep "sw1"/,
  );
  assert.match(
    (decodeTaskResult(text, { sweepId: 'sw1', task: 2 }) as { reason: string }).reason,
    /holds task 1, not 2/,
  );
});

test('local slots: one per GPU, each child seeing only its own (CUDA_VISIBLE_DEVICES entries kept); CPU workers without a GPU', () => {
  assert.deepEqual(localSlots([0, 1], undefined, 4), [
    { label: 'GPU 0', visibleDevices: '0' },
    { label: 'GPU 1', visibleDevices: '1' },
  ]);
  assert.deepEqual(
    localSlots([0, 1], '3,5', 4).map((s) => s.visibleDevices),
    ['3', '5'],
  );
  assert.deepEqual(
    localSlots([0], 'GPU-8f2c1a', 4).map((s) => s.visibleDevices),
    ['GPU-8f2c1a'],
  );
  assert.deepEqual(localSlots([], undefined, 2), [
    { label: 'CPU worker 0', visibleDevices: '' },
    { label: 'CPU worker 1', visibleDevices: '' },
  ]);
});
