// The PTX instructions a reader of a Hopper FP8 GEMM meets, explained in our own words for someone
// who knows CUDA but not Hopper. Sections and anchors follow PTX ISA 9.1; versions are the PTX ISA
// version that introduced the form shown and the lowest target that has it.
import type { PtxEntry } from './types';

const WGMMA = 'asynchronous-warpgroup-level-matrix-instructions-';
const DATA = 'data-movement-and-conversion-instructions-';
const SYNC = 'parallel-synchronization-and-communication-instructions-';

const hopperWarpgroup: PtxEntry[] = [
  {
    mnemonic: 'wgmma.mma_async',
    title: 'Warpgroup matrix multiply-accumulate on the tensor cores, asynchronous',
    summary:
      'The four warps of a warpgroup (128 threads) together issue one tensor-core product D = A·B (+ D) of an ' +
      'M×K tile of A and a K×N tile of B. The instruction returns at once: the accumulator registers must not be ' +
      'read or written until a later `wgmma.wait_group` says the group holding this MMA has finished. B — and A too, ' +
      'when the second operand is a descriptor rather than a register vector — is read straight from shared memory through a 64-bit matrix descriptor (start address, leading/stride ' +
      'byte offsets, swizzle mode), so no thread copies operands into registers. For FP8 (e4m3/e5m2) K is always 32 ' +
      'and both operands must be K-major; for BF16 / F16 K is 16 and either operand may be transposed (MN-major) through ' +
      'the imm-trans operands.',
    operands: [
      {
        name: 'd',
        meaning:
          'accumulator fragment: N/2 registers per thread for an f32 m64nNk32 or m64nNk16 (each thread holds a fixed set of (row, column) elements, the same layout for FP8 and BF16)',
      },
      {
        name: 'a-desc',
        meaning:
          '64-bit shared-memory descriptor of the A tile (or a register fragment of A when A comes from registers)',
      },
      { name: 'b-desc', meaning: '64-bit shared-memory descriptor of the B tile' },
      {
        name: 'scale-d',
        meaning:
          'predicate: true → D = A·B + D (accumulate), false → D = A·B (the first MMA of a tile starts from zero this way)',
      },
      { name: 'imm-scale-a', meaning: '1 or -1: use A as is, or negated' },
      { name: 'imm-scale-b', meaning: '1 or -1: use B as is, or negated' },
      {
        name: 'imm-trans-a',
        meaning:
          'transpose A (f16/bf16 forms only; FP8 has no such operand and must be K-major): 0 = A is K-major in shared memory, as the BF16 GEMM loads it',
      },
      {
        name: 'imm-trans-b',
        meaning: 'transpose B (f16/bf16 forms only): 0 = B is K-major (B [N, K] row-major: the "NT" GEMM D = A·Bᵀ)',
      },
    ],
    positionalOperands: true,
    typeRoles: ['D (accumulator)', 'A', 'B'],
    qualifiers: {
      '.sync': 'the instruction waits until every thread of the warp reaches it before issuing',
      '.aligned': 'every thread of the warpgroup must execute the same wgmma (no divergence around it)',
      '.sp': 'sparse A (2:4 structured sparsity); K doubles',
    },
    ptx: '8.0',
    target: 'sm_90a',
    section: '9.7.15.5.2',
    anchor: WGMMA + 'wgmma-mma-async',
    notes: [
      'FP8 shapes: m64nNk32 with N = 8…256 in steps of 8; accumulate in f16 or f32.',
      'The tensor cores accumulate FP8 products with limited precision (about 14 bits, DeepSeek-V3 report), which is why the kernel promotes the partial sums into FP32 registers every 128 of K.',
      'BF16 / F16 shapes: m64nNk16 with N = 8…256 in steps of 8; accumulate in f32 (or f16 for f16 inputs). A BF16 GEMM needs no promotion: the FP32 accumulator keeps full precision, so the kernel accumulates all of K in it and a 64-deep K-block (one 128-byte swizzle row of bf16) is 4 MMAs of k16.',
      'Accumulation order and rounding inside one MMA are not specified.',
    ],
  },
  {
    mnemonic: 'wgmma.fence',
    title: 'Fence before warpgroup MMAs',
    summary:
      "Orders this warpgroup's earlier register and shared-memory accesses before the `wgmma.mma_async` that follow. " +
      'Required before the first MMA, and again whenever the accumulator (or A) registers were touched by ordinary ' +
      'instructions in between — for example after the promotion step zeroed or read them.',
    qualifiers: {
      '.sync': 'waits for all threads of the warp',
      '.aligned': 'all threads of the warpgroup execute it together',
    },
    ptx: '8.0',
    target: 'sm_90a',
    section: '9.7.15.7.1',
    anchor: WGMMA + 'wgmma-fence',
  },
  {
    mnemonic: 'wgmma.commit_group',
    title: 'Close a group of warpgroup MMAs',
    summary:
      'Bundles every `wgmma.mma_async` this warpgroup issued since the last commit into one wgmma-group, the unit ' +
      '`wgmma.wait_group` waits for. A GEMM commits once per K-block (the 4 MMAs of k32 that cover 128 of K).',
    ptx: '8.0',
    target: 'sm_90a',
    section: '9.7.15.7.2',
    anchor: WGMMA + 'wgmma-commit-group',
  },
  {
    mnemonic: 'wgmma.wait_group',
    title: 'Wait for warpgroup MMAs to finish',
    summary:
      'Blocks until at most N committed wgmma-groups of this warpgroup are still running. N = 0 waits for all of them; ' +
      'only then may the accumulator registers be read (the promotion step) and may the shared-memory stage they read ' +
      'be handed back to the producer.',
    operands: [{ name: 'N', meaning: 'integer constant: how many groups may stay in flight' }],
    ptx: '8.0',
    target: 'sm_90a',
    section: '9.7.15.7.3',
    anchor: WGMMA + 'wgmma-wait-group',
  },
];

const tma: PtxEntry[] = [
  {
    mnemonic: 'cp.async.bulk.tensor',
    title: 'TMA tile copy between global and shared memory',
    summary:
      'One thread asks the Tensor Memory Accelerator to copy a whole tile, described by a tensor map (CUtensorMap) and ' +
      'integer coordinates, between global memory and shared memory. The copy runs in the background. Loads ' +
      '(`.shared::cluster.global`) report completion as bytes on an mbarrier (`.mbarrier::complete_tx::bytes`): the ' +
      "barrier's phase completes once the expected byte count has arrived. Stores (`.global.shared::cta`) are tracked " +
      'with `cp.async.bulk.commit_group` / `wait_group`. Out-of-bounds parts of a load are filled with zeros and ' +
      'out-of-bounds parts of a store are dropped, which is how ragged M and N edges are handled.',
    operands: [
      {
        name: '[dstMem]',
        meaning: 'destination: shared-memory address (load) or the tensor map + coordinates (store)',
      },
      {
        name: '[tensorMap, tensorCoords]',
        meaning: 'address of the CUtensorMap and a vector of 1–5 coordinates (innermost first)',
      },
      { name: '[mbar]', meaning: 'load only: shared-memory mbarrier that receives the completed bytes' },
      {
        name: 'ctaMask',
        meaning: 'with .multicast::cluster: 16-bit mask of the cluster CTAs that receive the same tile',
      },
      { name: 'cache-policy', meaning: 'with .L2::cache_hint: 64-bit L2 eviction policy from createpolicy' },
    ],
    qualifiers: {
      '.shared::cluster':
        'destination is shared memory addressed in the cluster window (a load into this or, with multicast, other CTAs)',
      '.global': 'global memory side of the copy',
      '.shared::cta': "source is this CTA's shared memory (a store)",
      '.mbarrier::complete_tx::bytes':
        "when bytes land, they are counted off the mbarrier's transaction count (the producer announced them with expect_tx)",
      '.multicast::cluster':
        "one load delivers the same tile to several CTAs of the cluster (ctaMask); each receiver's mbarrier at the same offset gets the bytes. Halves L2 traffic for the shared operand",
      '.bulk_group': 'store completion is tracked by bulk async-groups (cp.async.bulk.commit_group / wait_group)',
      '.tile': 'tiled mode: the box is a dense sub-tile of the tensor (the default)',
      '.im2col': 'im2col mode for convolutions',
      '.L2::cache_hint': 'an extra 64-bit operand carries an L2 eviction policy',
      '.cta_group::1': 'Blackwell: the mbarrier is in this CTA',
      '.cta_group::2': 'Blackwell: the mbarrier may be in the peer CTA of a CTA pair',
    },
    ptx: '8.0',
    target: 'sm_90',
    section: '9.7.9.27.1.2',
    anchor: DATA + 'cp-async-bulk-tensor',
    notes: [
      'The shared-memory destination must be 128-byte aligned; with the 128-byte swizzle the kernel aligns tiles to 1024 bytes.',
      "The tensor map's swizzle mode must match the swizzle encoded in the wgmma descriptor that later reads the tile.",
      '.multicast::cluster is optimised for sm_90a.',
    ],
  },
  {
    mnemonic: 'cp.reduce.async.bulk.tensor',
    title: 'TMA tile store that reduces into global memory',
    summary:
      'Like a TMA store, but each element is combined with what is already in global memory (`.add`, `.min`, `.max`, ' +
      '`.inc`, `.dec`, `.and`, `.or`, `.xor`) instead of overwriting it. An FP32-output GEMM uses `.add` to accumulate ' +
      'D += A·B (split-K or D = C + A·B) without a read-modify-write by the threads.',
    operands: [
      { name: '[tensorMap, tensorCoords]', meaning: 'destination tensor map and coordinates' },
      { name: '[srcMem]', meaning: 'shared-memory tile to reduce from' },
    ],
    qualifiers: {
      '.add': 'element-wise add into global memory',
      '.min': 'element-wise minimum',
      '.max': 'element-wise maximum',
      '.global': 'destination is global memory',
      '.shared::cta': "source is this CTA's shared memory",
      '.bulk_group': 'completion tracked with cp.async.bulk.commit_group / wait_group',
    },
    notes: [
      'Not one atomic tile: each element is reduced as its own relaxed, gpu-scope operation, so tiles from several CTAs may add into the same region of D and every contribution lands.',
      'The element type comes from the tensor map; `.add` takes .f32, .f16 and .bf16 (and .u32, .s32, .u64).',
    ],
    ptx: '8.0',
    target: 'sm_90',
    section: '9.7.9.27.1.3',
    anchor: DATA + 'cp-reduce-async-bulk-tensor',
  },
  {
    mnemonic: 'cp.async.bulk.prefetch.tensor',
    title: 'Prefetch a tensor tile into L2',
    summary:
      'Asks the TMA to bring a tile (tensor map + coordinates) into the L2 cache without writing shared memory, so a later ' +
      'load of it hits in L2. No completion to wait for.',
    qualifiers: { '.L2': 'the destination is the L2 cache', '.global': 'the tile is read from global memory' },
    ptx: '8.0',
    target: 'sm_90',
    section: '9.7.9.27.1.4',
    anchor: DATA + 'cp-async-bulk-prefetch-tensor',
  },
  {
    mnemonic: 'cp.async.bulk.commit_group',
    title: 'Close a group of bulk (TMA) stores',
    summary:
      'Bundles the bulk asynchronous operations this thread issued with `.bulk_group` since the last commit into one ' +
      'bulk async-group, the unit `cp.async.bulk.wait_group` waits for. Used after the TMA store of an output tile.',
    ptx: '8.0',
    target: 'sm_90',
    section: '9.7.9.27.2.1',
    anchor: DATA + 'cp-async-bulk-commit-group',
  },
  {
    mnemonic: 'cp.async.bulk.wait_group',
    title: 'Wait for bulk (TMA) stores',
    summary:
      'Waits until at most N bulk async-groups of this thread are pending. With `.read` it only waits until the ' +
      'operations have finished READING their shared-memory source — enough to reuse the staging buffer for the next ' +
      "tile's epilogue, without waiting for the writes to reach global memory.",
    operands: [{ name: 'N', meaning: 'integer constant: groups allowed to stay pending' }],
    qualifiers: { '.read': 'wait only until the shared-memory source may be overwritten' },
    ptx: '8.0',
    target: 'sm_90',
    section: '9.7.9.27.2.2',
    anchor: DATA + 'cp-async-bulk-wait-group',
  },
  {
    mnemonic: 'cp.async.bulk',
    title: 'Bulk copy of contiguous bytes (non-tensor TMA)',
    summary:
      "Copies a contiguous run of bytes (multiple of 16) between global and shared memory (or between CTAs' shared " +
      'memories of a cluster) in the background, with the same mbarrier byte accounting as the tensor form but without a ' +
      'tensor map.',
    qualifiers: {
      '.mbarrier::complete_tx::bytes': "completion counted off an mbarrier's transaction count",
      '.shared::cluster': 'shared memory in the cluster window',
      '.global': 'global memory',
    },
    ptx: '8.0',
    target: 'sm_90',
    section: '9.7.9.25.4.1',
    anchor: DATA + 'cp-async-bulk',
  },
  {
    mnemonic: 'cp.async',
    title: 'Ampere-style asynchronous copy global → shared (4/8/16 bytes per thread)',
    summary:
      'Each thread starts a small copy from global to shared memory that completes in the background; ' +
      '`cp.async.commit_group` / `cp.async.wait_group` (or an mbarrier) wait for it. Hopper kernels use TMA ' +
      '(`cp.async.bulk.tensor`) for tiles instead; cp.async remains handy for small irregular loads.',
    qualifiers: {
      '.ca': 'cache in L1 and L2',
      '.cg': 'cache in L2 only (16-byte copies)',
      '.commit_group': 'close a group of cp.async',
      '.wait_group': 'wait for groups',
      '.wait_all': 'wait for all',
    },
    ptx: '7.0',
    target: 'sm_80',
    section: '9.7.9.25.3.1',
    anchor: DATA + 'cp-async',
  },
  {
    mnemonic: 'prefetch',
    aliases: ['prefetchu'],
    title: 'Prefetch a line or a tensor map',
    summary:
      'Hints that data will be needed soon. `prefetch.tensormap [addr]` (and `.param`/`.const` forms) pulls the ' +
      'CUtensorMap descriptor itself into the cache, so the first TMA copy that uses it does not stall on fetching the ' +
      'descriptor; kernels do it once at start for each tensor map. `prefetch.global.L2` prefetches ordinary data.',
    qualifiers: {
      '.tensormap': 'the address is a tensor map (CUtensorMap) to prefetch',
      '.L1': 'into L1',
      '.L2': 'into L2',
      '.param': 'address in kernel parameter space (a __grid_constant__ tensor map)',
      '.const': 'address in constant space',
    },
    ptx: '8.0',
    target: 'sm_90',
    section: '9.7.9.15',
    anchor: DATA + 'prefetch-prefetchu',
    notes: ['The plain data forms are much older (PTX 2.0); the .tensormap form needs PTX 8.0 and sm_90.'],
  },
  {
    mnemonic: 'tensormap.replace',
    title: 'Edit a field of a tensor map in memory',
    summary:
      'Rewrites one field (global address, a dimension, a stride, element size, swizzle, …) of a 128-byte tensor map held ' +
      "in shared or global memory. Grouped GEMMs use it to point one descriptor at the next group's matrix instead of " +
      'building a new map on the host. After editing, a `fence.proxy.tensormap::generic` must order the write before ' +
      'TMA reads the map.',
    qualifiers: {
      '.tile': 'the tensor map is in tiled mode',
      '.global_address': 'field: base address of the tensor',
      '.global_dim': 'field: size of one dimension',
      '.global_stride': 'field: byte stride of one dimension',
      '.element_stride': 'field: traversal stride',
      '.swizzle_mode': 'field: swizzle mode',
    },
    ptx: '8.3',
    target: 'sm_90a',
    section: '9.7.9.28',
    anchor: DATA + 'tensormap-replace',
  },
  {
    mnemonic: 'tensormap.cp_fenceproxy',
    title: 'Copy a tensor map to global memory with its proxy fence',
    summary:
      'Copies a 128-byte tensor map from shared to global memory and, in the same instruction, performs the tensormap ' +
      'proxy fence, so TMA launched later (also from other CTAs) sees the new descriptor.',
    ptx: '8.3',
    target: 'sm_90',
    section: '9.7.13.16',
    anchor: SYNC + 'tensormap-cp-fenceproxy',
  },
  {
    mnemonic: 'mapa',
    title: 'Address of the same shared variable in another CTA of the cluster',
    summary:
      'Given a shared-memory address in this CTA and a target CTA rank, returns the address of the same variable in the ' +
      'target CTA\'s shared memory (distributed shared memory). A consumer uses it to arrive on the peer CTA\'s "empty" ' +
      'barrier when the tile was multicast to both.',
    operands: [
      { name: 'd', meaning: 'result address in the shared::cluster window' },
      { name: 'a', meaning: 'address in this CTA' },
      { name: 'b', meaning: 'target CTA rank within the cluster' },
    ],
    ptx: '7.8',
    target: 'sm_90',
    section: '9.7.9.23',
    anchor: DATA + 'mapa',
  },
  {
    mnemonic: 'getctarank',
    title: 'Which CTA of the cluster owns a shared address',
    summary:
      'Returns the rank, within the cluster, of the CTA whose shared memory holds the given shared::cluster address.',
    ptx: '7.8',
    target: 'sm_90',
    section: '9.7.9.24',
    anchor: DATA + 'getctarank',
  },
  {
    mnemonic: 'stmatrix',
    title: 'Warp stores 8×8 matrices of 16-bit values to shared memory',
    summary:
      'The 32 threads of a warp together write one, two or four 8×8 tiles of 16-bit elements (`.x1/.x2/.x4`) from their ' +
      'registers to shared memory; each of the first 8/16/32 lanes supplies the address of one 8-element row. The ' +
      'register layout matches an MMA accumulator fragment, so the BF16 epilogue converts FP32 accumulators to BF16 pairs ' +
      'and stores them with stmatrix into the (swizzled) staging tile the TMA store then reads.',
    operands: [
      { name: '[p]', meaning: 'shared-memory row address supplied by each lane' },
      { name: 'r', meaning: 'vector of 1, 2 or 4 32-bit registers, each holding two 16-bit elements' },
    ],
    qualifiers: {
      '.m8n8': 'each matrix is 8×8',
      '.m16n8': '16×8 matrices (8-bit, PTX 8.6)',
      '.x1': 'one matrix',
      '.x2': 'two matrices',
      '.x4': 'four matrices',
      '.trans': 'store transposed (column-major)',
      '.b16': '16-bit elements',
    },
    ptx: '7.8',
    target: 'sm_90',
    section: '9.7.14.5.16',
    anchor: 'warp-level-matrix-instructions-stmatrix',
  },
  {
    mnemonic: 'ldmatrix',
    title: 'Warp loads 8×8 matrices of 16-bit values from shared memory',
    summary:
      'The mirror of stmatrix: the warp reads one, two or four 8×8 tiles from shared memory into registers, in the layout ' +
      'an `mma` operand fragment needs; each lane supplies one row address.',
    qualifiers: {
      '.m8n8': 'each matrix is 8×8',
      '.x1': 'one matrix',
      '.x2': 'two matrices',
      '.x4': 'four matrices',
      '.trans': 'load transposed',
      '.b16': '16-bit elements',
    },
    ptx: '6.5',
    target: 'sm_75',
    section: '9.7.14.5.15',
    anchor: 'warp-level-matrix-instructions-ldmatrix',
  },
];

const mbarrier: PtxEntry[] = [
  {
    mnemonic: 'mbarrier.init',
    title: 'Initialise an mbarrier',
    summary:
      'Sets up a 64-bit barrier object in shared memory with the number of arrivals that complete each phase. A GEMM has a ' +
      '"full" and an "empty" barrier per pipeline stage: full[s] expects the producer\'s one arrival (plus the TMA bytes), ' +
      'empty[s] expects one arrival per consumer (per CTA of the cluster when multicasting). Other threads, the TMA and ' +
      'peer CTAs may only use it after `fence.mbarrier_init` and a barrier.',
    operands: [
      { name: '[addr]', meaning: '8-byte aligned shared-memory address of the barrier' },
      { name: 'count', meaning: 'expected arrivals per phase (1 … 2²⁰−1)' },
    ],
    ptx: '7.0',
    target: 'sm_80',
    section: '9.7.13.15.9',
    anchor: SYNC + 'mbarrier-init',
  },
  {
    mnemonic: 'mbarrier.arrive',
    title: 'Arrive on an mbarrier',
    summary:
      "Counts this thread's arrival off the barrier's pending count; when arrivals reach zero and no transaction bytes " +
      'are outstanding, the current phase completes and the barrier flips to the next phase. With `.expect_tx` the same ' +
      'instruction first adds the number of bytes the TMA copies will deliver — the producer\'s "arrive and expect" ' +
      'before issuing the loads of a stage. With `.shared::cluster` the barrier may live in another CTA (address from `mapa`).',
    operands: [
      { name: 'state', meaning: 'optional 64-bit result: the phase token (use `_` to discard)' },
      { name: '[addr]', meaning: 'barrier address' },
      { name: 'count / txCount', meaning: 'arrival count, or with .expect_tx the expected byte count' },
    ],
    qualifiers: {
      '.expect_tx': 'also raise the transaction (byte) count the phase waits for',
      '.release': "release semantics: this thread's earlier writes are visible to whoever waits on the phase",
      '.relaxed': 'no ordering of earlier memory accesses',
      '.cta': 'scope: threads of this CTA',
      '.cluster': 'scope: threads of the whole cluster',
      '.noComplete': 'the arrival must not complete the phase',
    },
    ptx: '7.0',
    target: 'sm_80',
    section: '9.7.13.15.13',
    anchor: SYNC + 'mbarrier-arrive',
    notes: ['.expect_tx, .shared::cluster and the .cluster scope need PTX 8.0 and sm_90.'],
  },
  {
    mnemonic: 'mbarrier.arrive_drop',
    title: 'Arrive and leave an mbarrier',
    summary:
      'Arrives and also lowers the expected arrival count of later phases by one — for a thread that stops taking part.',
    ptx: '7.0',
    target: 'sm_80',
    section: '9.7.13.15.14',
    anchor: SYNC + 'mbarrier-arrive-drop',
  },
  {
    mnemonic: 'mbarrier.expect_tx',
    title: 'Announce bytes an mbarrier must receive',
    summary:
      "Raises the barrier's transaction count by the given number of bytes without arriving. The phase cannot complete " +
      'until TMA copies have delivered (complete_tx) that many bytes.',
    operands: [
      { name: '[addr]', meaning: 'barrier address' },
      { name: 'txCount', meaning: 'bytes expected' },
    ],
    qualifiers: { '.relaxed': 'no memory ordering', '.cta': 'CTA scope', '.cluster': 'cluster scope' },
    ptx: '8.0',
    target: 'sm_90',
    section: '9.7.13.15.11',
    anchor: SYNC + 'mbarrier-expect-tx',
  },
  {
    mnemonic: 'mbarrier.complete_tx',
    title: 'Count bytes off an mbarrier',
    summary:
      'Lowers the transaction count by the given bytes, as if an async copy had delivered them. The TMA hardware does ' +
      'this itself for `.mbarrier::complete_tx::bytes` copies; kernels rarely write it by hand.',
    ptx: '8.0',
    target: 'sm_90',
    section: '9.7.13.15.12',
    anchor: SYNC + 'mbarrier-complete-tx',
  },
  {
    mnemonic: 'mbarrier.try_wait',
    title: 'Wait (for a while) for an mbarrier phase to complete',
    summary:
      'Tests whether a phase of the barrier has completed and, if not, suspends the thread for a system-dependent time ' +
      'limit before answering false; kernels loop on it. With `.parity` the caller names the phase by its parity bit: ' +
      'pipeline loops keep a `phase` bit per stage ring and flip it (`phase ^= 1`) every time they wrap around the stages. ' +
      'Waiting on the wrong parity either passes at once (reading a stage that is not ready) or hangs forever.',
    operands: [
      { name: 'waitComplete', meaning: 'predicate result: true when the phase has completed' },
      { name: '[addr]', meaning: 'barrier address' },
      {
        name: 'state / phaseParity',
        meaning: 'the token from mbarrier.arrive, or with .parity the phase parity (0/1) to wait for',
      },
      { name: 'suspendTimeHint', meaning: 'optional: nanoseconds the thread may be suspended' },
    ],
    qualifiers: {
      '.parity': 'the operand is a phase parity bit instead of a state token',
      '.acquire': 'acquire semantics: writes released by the arrivals are visible after it returns true',
      '.relaxed': 'no memory ordering',
      '.cta': 'CTA scope',
      '.cluster': 'cluster scope',
    },
    ptx: '7.8',
    target: 'sm_90',
    section: '9.7.13.15.16',
    anchor: SYNC + 'mbarrier-test-wait-try-wait',
    notes: ['`.parity` needs PTX 7.1; try_wait itself PTX 7.8 and sm_90.'],
  },
  {
    mnemonic: 'mbarrier.test_wait',
    title: 'Poll an mbarrier phase without waiting',
    summary: 'Like try_wait, but returns at once whether the phase has completed (never suspends the thread).',
    qualifiers: {
      '.parity': 'the operand is a phase parity bit',
      '.acquire': 'acquire semantics',
      '.relaxed': 'no ordering',
    },
    ptx: '7.0',
    target: 'sm_80',
    section: '9.7.13.15.16',
    anchor: SYNC + 'mbarrier-test-wait-try-wait',
  },
  {
    mnemonic: 'mbarrier.inval',
    title: 'Invalidate an mbarrier',
    summary: 'Ends the life of a barrier object so its shared memory may be reused for something else.',
    ptx: '7.0',
    target: 'sm_80',
    section: '9.7.13.15.10',
    anchor: SYNC + 'mbarrier-inval',
  },
];

const fences: PtxEntry[] = [
  {
    mnemonic: 'fence.proxy.async',
    title: 'Fence between ordinary and async-proxy memory accesses',
    summary:
      'TMA copies and wgmma access memory through the "async proxy", which does not see ordinary (generic-proxy) loads and ' +
      'stores in program order. This fence orders them: after threads write a shared-memory tile with `st.shared` or ' +
      '`stmatrix` and before a TMA store reads it, the writers must execute `fence.proxy.async.shared::cta` (then ' +
      'synchronise). Without it the TMA may read stale data.',
    qualifiers: {
      '.shared::cta': "only for this CTA's shared memory",
      '.shared::cluster': 'for shared memory in the cluster window',
      '.global': 'for global memory',
    },
    ptx: '8.0',
    target: 'sm_90',
    section: '9.7.13.4',
    anchor: SYNC + 'membar',
  },
  {
    mnemonic: 'fence.mbarrier_init',
    title: 'Publish mbarrier initialisation to the cluster',
    summary:
      'Makes earlier `mbarrier.init` of this thread visible to the other CTAs of the cluster and to the async proxy (the ' +
      'TMA unit that will complete transactions on them). Issued once after initialising the barriers, before a cluster ' +
      'barrier that lets everybody start.',
    qualifiers: { '.release': 'release semantics', '.cluster': 'scope: the whole cluster' },
    ptx: '8.0',
    target: 'sm_90',
    section: '9.7.13.4',
    anchor: SYNC + 'membar',
  },
  {
    mnemonic: 'fence.proxy.tensormap::generic',
    title: 'Order tensor-map edits with their use by TMA',
    summary:
      'A tensor map written with ordinary stores (or tensormap.replace) is read by TMA through the tensormap proxy. The ' +
      '`.release` form after the write and the `.acquire` form before the TMA that uses it make the new descriptor visible.',
    qualifiers: {
      '.release': 'after writing the map',
      '.acquire': 'before using the map',
      '.cta': 'CTA scope',
      '.cluster': 'cluster scope',
      '.gpu': 'GPU scope',
      '.sys': 'system scope',
    },
    ptx: '8.3',
    target: 'sm_90',
    section: '9.7.13.4',
    anchor: SYNC + 'membar',
  },
  {
    mnemonic: 'fence',
    aliases: ['membar'],
    title: 'Memory fence',
    summary:
      "Orders this thread's memory accesses before the fence against those after it, at the given scope. `fence.sc` is " +
      'sequentially consistent; `fence.acq_rel` (the usual one) gives acquire-release ordering. `membar.{cta,gl,sys}` is ' +
      'the older spelling.',
    qualifiers: {
      '.sc': 'sequentially consistent',
      '.acq_rel': 'acquire-release',
      '.acquire': 'acquire only',
      '.release': 'release only',
      '.cta': 'scope: this CTA',
      '.cluster': 'scope: this cluster',
      '.gpu': 'scope: the whole GPU',
      '.sys': 'scope: the system',
      '.gl': 'membar: GPU scope',
    },
    ptx: '6.0',
    target: 'sm_70',
    section: '9.7.13.4',
    anchor: SYNC + 'membar',
  },
  {
    mnemonic: 'barrier.cluster',
    title: 'Barrier across all CTAs of the cluster',
    summary:
      'Split into `arrive` and `wait`: every thread of every CTA in the cluster arrives, and `wait` returns once all have. ' +
      'Used after initialising barriers (so peer CTAs do not signal an uninitialised barrier) and before exit (so no CTA ' +
      'leaves while a peer may still write into its shared memory by multicast or remote arrive).',
    qualifiers: {
      '.arrive': 'signal arrival',
      '.wait': 'wait for all arrivals',
      '.relaxed': 'arrive without release semantics (cheaper; no memory ordering)',
      '.release': 'arrive with release semantics',
      '.acquire': 'wait with acquire semantics',
      '.aligned': 'all threads of the warp execute it together',
    },
    ptx: '7.8',
    target: 'sm_90',
    section: '9.7.13.3',
    anchor: SYNC + 'barrier-cluster',
  },
  {
    mnemonic: 'bar',
    aliases: ['barrier'],
    title: 'CTA barrier (named barriers)',
    summary:
      '`bar.sync 0` is `__syncthreads()`. With a barrier id (0–15) and a thread count it becomes a named barrier over a ' +
      'subset of the CTA: the math warpgroups can synchronise among themselves (e.g. `bar.sync 1, 256`) without waiting ' +
      'for the producer warpgroup. The count must be a multiple of 32 and the same in every participating warp. ' +
      '`bar.arrive` signals without waiting (a producer/consumer hand-off).',
    operands: [
      { name: 'a', meaning: 'barrier id 0–15 (0 is the one __syncthreads uses)' },
      { name: 'b', meaning: 'optional: number of threads taking part (multiple of 32)' },
    ],
    qualifiers: {
      '.sync': 'arrive and wait',
      '.arrive': 'arrive only, do not wait',
      '.red': 'arrive, wait and reduce a predicate',
      '.aligned': 'all threads of the warp execute the same barrier instruction',
    },
    ptx: '2.0',
    target: 'sm_20',
    section: '9.7.13.1',
    anchor: SYNC + 'bar-barrier',
  },
  {
    mnemonic: 'elect',
    title: 'Elect one leader lane of the warp',
    summary:
      '`elect.sync d|p, membermask` picks one leader among the active lanes of the mask (all lanes agree on which) and sets predicate p true in that ' +
      "lane only; d receives the leader's lane id in every lane. Kernels use it so exactly one thread of the producer warp " +
      'issues the TMA copies and the mbarrier arrive.expect_tx, without a branch on threadIdx.',
    operands: [
      { name: 'd', meaning: "32-bit result: the elected lane's id (or `_`)" },
      { name: 'p', meaning: 'predicate: true in the elected lane' },
      { name: 'membermask', meaning: 'lanes taking part (0xffffffff: the whole warp)' },
    ],
    ptx: '8.0',
    target: 'sm_90',
    section: '9.7.13.14',
    anchor: SYNC + 'elect-sync',
  },
  {
    mnemonic: 'griddepcontrol',
    title: 'Programmatic Dependent Launch (PDL) control',
    summary:
      '`griddepcontrol.wait` blocks until the grids this one depends on have completed and their memory is visible — call ' +
      'it before the first read of data the previous kernel produced. `griddepcontrol.launch_dependents` lets the next ' +
      'kernel in the stream start launching (its prologue overlaps our tail). Both do nothing when the launch did not ' +
      'enable PDL. CUDA C++ spells them `cudaGridDependencySynchronize()` / `cudaTriggerProgrammaticLaunchCompletion()`.',
    qualifiers: {
      '.wait': 'wait for prerequisite grids and their memory',
      '.launch_dependents': 'allow dependent grids to be scheduled',
    },
    ptx: '7.8',
    target: 'sm_90',
    section: '9.7.13.13',
    anchor: SYNC + 'griddepcontrol',
  },
  {
    mnemonic: 'setmaxnreg',
    title: 'Change the register budget of a warpgroup',
    summary:
      'All four warps of a warpgroup together raise (`.inc`) or lower (`.dec`) the number of registers each of their threads ' +
      'may use, to N (24…256, multiple of 8). A warp-specialised GEMM launches with an even split, then the TMA producer ' +
      'warpgroup drops to ~40 registers (it only computes addresses) and gives them to the math warpgroups, which raise ' +
      "to ~232–248 to hold big accumulators. `.inc` waits until enough registers are free in the SM's pool.",
    operands: [{ name: 'imm-reg-count', meaning: 'the new per-thread register limit (24…256, multiple of 8)' }],
    qualifiers: {
      '.inc': 'raise the limit (claims registers released by other warpgroups)',
      '.dec': 'lower the limit (releases registers to the pool)',
      '.sync': 'waits for all threads of the warp',
      '.aligned': 'all threads of the warpgroup execute it together',
      '.u32': 'the count is an unsigned 32-bit immediate',
    },
    ptx: '8.0',
    target: 'sm_90a',
    section: '9.7.19.5',
    anchor: 'miscellaneous-instructions-setmaxnreg',
  },
  {
    mnemonic: 'createpolicy',
    title: 'Build an L2 cache eviction policy',
    summary:
      'Returns a 64-bit cache policy (evict_first, evict_last, evict_normal, … for a fraction of accesses) to pass as the ' +
      '`.L2::cache_hint` operand of loads and TMA copies: e.g. stream A once with evict_first, keep B with evict_last.',
    qualifiers: {
      '.fractional': 'apply to a fraction of the accesses',
      '.L2::evict_first': 'evict these lines first',
      '.L2::evict_last': 'keep these lines longest',
      '.L2::evict_normal': 'normal priority',
    },
    ptx: '7.4',
    target: 'sm_80',
    section: 'Data Movement and Conversion Instructions',
    anchor: DATA + 'createpolicy',
  },
  {
    mnemonic: 'st.async',
    title: "Asynchronous store into a peer CTA's shared memory",
    summary:
      'Stores a value into shared memory of another CTA of the cluster and signals an mbarrier there with the bytes ' +
      '(complete_tx) — a one-way message between CTAs.',
    ptx: '8.1',
    target: 'sm_90',
    section: 'Data Movement and Conversion Instructions',
    anchor: DATA + 'st-async',
  },
  {
    mnemonic: 'red.async',
    title: "Asynchronous reduction into a peer CTA's shared memory",
    summary:
      'Like st.async, but combines (add, min, max, …) with the value at the remote address, and signals an mbarrier there.',
    ptx: '8.1',
    target: 'sm_90',
    section: 'Parallel Synchronization and Communication Instructions',
    anchor: SYNC + 'red-async',
  },
];

/** Ordinary PTX a wrapper also uses (moves, compares, branches); short entries so every mnemonic explains. */
const general: PtxEntry[] = [
  {
    mnemonic: 'mov',
    title: 'Move or read a special register',
    summary:
      'Copies a register, an immediate, an address of a variable, or a special register (`mov.u32 %0, %cluster_ctarank;`) into a register. `mov.b64 {lo, hi}, x` packs/unpacks 32-bit halves.',
    ptx: '1.0',
    target: 'all',
    section: '9.7.9.3',
    anchor: DATA + 'mov',
  },
  {
    mnemonic: 'ld',
    title: 'Load from memory',
    summary:
      'Reads from a state space (`.shared`, `.global`, `.param`, `.const`, `.local`) into registers. `.global.nc` goes through the read-only (texture) path; `.acquire`/`.relaxed` with a scope make it a memory-model load; `.v2/.v4` load vectors.',
    qualifiers: {
      '.nc': 'non-coherent read-only path (data must not change during the kernel)',
      '.acquire': 'acquire load',
      '.relaxed': 'relaxed atomic load',
      '.volatile': 'not cached in registers, re-read every time',
      '.v2': 'two elements',
      '.v4': 'four elements',
    },
    ptx: '1.0',
    target: 'all',
    section: 'Data Movement and Conversion Instructions',
    anchor: DATA + 'ld',
  },
  {
    mnemonic: 'st',
    title: 'Store to memory',
    summary:
      'Writes registers to a state space (`.shared`, `.global`, `.local`). `st.shared` writes of a tile that TMA later reads need `fence.proxy.async` first.',
    qualifiers: {
      '.release': 'release store',
      '.relaxed': 'relaxed atomic store',
      '.volatile': 'always performed',
      '.v2': 'two elements',
      '.v4': 'four elements',
    },
    ptx: '1.0',
    target: 'all',
    section: '9.7.9.11',
    anchor: DATA + 'st',
  },
  {
    mnemonic: 'cvt',
    title: 'Convert between types',
    summary:
      'Converts a value to another type with a rounding mode. The BF16 epilogue uses `cvt.rn.bf16x2.f32 d, hi, lo` to round two FP32 accumulators into one packed 32-bit pair; FP8 packing uses `cvt.rn.satfinite.e4m3x2.f32`.',
    qualifiers: {
      '.rn': 'round to nearest even',
      '.rz': 'round towards zero',
      '.rm': 'round down',
      '.rp': 'round up',
      '.satfinite': 'clamp to the largest finite value instead of producing Inf/NaN',
      '.bf16x2': 'two packed bfloat16 values',
      '.e4m3x2': 'two packed FP8 e4m3 values',
      '.e5m2x2': 'two packed FP8 e5m2 values',
      '.ftz': 'flush subnormals to zero',
    },
    ptx: '1.0',
    target: 'all',
    section: '9.7.9.21',
    anchor: DATA + 'cvt',
  },
  {
    mnemonic: 'cvta',
    title: 'Convert an address between state spaces',
    summary:
      'Turns a generic address into a state-space address (`cvta.to.shared`) or back. A 32-bit shared address is what mbarrier, TMA and wgmma descriptors take (`__cvta_generic_to_shared` in C++).',
    ptx: '2.0',
    target: 'all',
    section: 'Data Movement and Conversion Instructions',
    anchor: DATA + 'cvta',
  },
  {
    mnemonic: 'prmt',
    title: 'Permute bytes',
    summary:
      'Builds a 32-bit value by picking any four bytes of two source registers (selector operand) — byte shuffles when packing narrow types.',
    ptx: '2.0',
    target: 'all',
    section: 'Data Movement and Conversion Instructions',
    anchor: DATA + 'prmt',
  },
  {
    mnemonic: 'shfl.sync',
    title: 'Exchange registers between lanes of a warp',
    summary:
      'Each lane reads a register of another lane (`.idx`, `.up`, `.down`, `.bfly`) among the mask — `__shfl_sync` in C++.',
    ptx: '6.0',
    target: 'sm_30',
    section: 'Data Movement and Conversion Instructions',
    anchor: DATA + 'shfl-sync',
  },
  {
    mnemonic: 'setp',
    title: 'Compare and set a predicate',
    summary:
      'Compares two values (`.eq`, `.ne`, `.lt`, …) and writes a predicate register, typically used to guard a following instruction (`@p`).',
    ptx: '1.0',
    target: 'all',
    section: '9.7.6.2',
    anchor: 'comparison-and-selection-instructions-setp',
  },
  {
    mnemonic: 'selp',
    title: 'Select by predicate',
    summary: '`selp d, a, b, p` sets d = p ? a : b — turns a predicate into a value.',
    ptx: '1.0',
    target: 'all',
    section: '9.7.6.3',
    anchor: 'comparison-and-selection-instructions-selp',
  },
  {
    mnemonic: 'bra',
    title: 'Branch',
    summary:
      'Jumps to a label, usually guarded by a predicate (`@!p bra LOOP;`) — the retry loop around mbarrier.try_wait is written this way.',
    qualifiers: { '.uni': 'the branch is known not to diverge within the warp' },
    ptx: '1.0',
    target: 'all',
    section: '9.7.12.3',
    anchor: 'control-flow-instructions-bra',
  },
  {
    mnemonic: 'exit',
    title: 'End the thread',
    summary: 'Terminates the thread.',
    ptx: '1.0',
    target: 'all',
    section: 'Control Flow Instructions',
    anchor: 'control-flow-instructions-exit',
  },
  {
    mnemonic: 'ret',
    title: 'Return from a function',
    summary: 'Returns to the caller (or ends the thread in an entry function).',
    ptx: '1.0',
    target: 'all',
    section: 'Control Flow Instructions',
    anchor: 'control-flow-instructions-ret',
  },
  {
    mnemonic: 'trap',
    title: 'Abort the kernel',
    summary:
      'Raises an error that terminates the kernel launch (the host sees a launch failure); used for impossible states in debug builds.',
    ptx: '1.0',
    target: 'all',
    section: 'Miscellaneous Instructions',
    anchor: 'miscellaneous-instructions-trap',
  },
  {
    mnemonic: 'nanosleep',
    title: 'Sleep for a while',
    summary: 'Suspends the thread for roughly the given nanoseconds — back-off in spin loops.',
    ptx: '6.3',
    target: 'sm_70',
    section: 'Miscellaneous Instructions',
    anchor: 'miscellaneous-instructions-nanosleep',
  },
  {
    mnemonic: 'add',
    title: 'Add',
    summary: 'Integer or floating-point addition (the type qualifier decides; `.f32` rounds with `.rn` by default).',
    ptx: '1.0',
    target: 'all',
    section: 'Integer Arithmetic Instructions',
    anchor: 'integer-arithmetic-instructions-add',
  },
  {
    mnemonic: 'sub',
    title: 'Subtract',
    summary: 'Integer or floating-point subtraction.',
    ptx: '1.0',
    target: 'all',
    section: 'Integer Arithmetic Instructions',
    anchor: 'integer-arithmetic-instructions-sub',
  },
  {
    mnemonic: 'mul',
    title: 'Multiply',
    summary: 'Integer (`.lo`, `.hi`, `.wide`) or floating-point multiplication.',
    ptx: '1.0',
    target: 'all',
    section: 'Integer Arithmetic Instructions',
    anchor: 'integer-arithmetic-instructions-mul',
  },
  {
    mnemonic: 'mad',
    title: 'Multiply-add',
    summary: 'd = a·b + c for integers (or floats).',
    ptx: '1.0',
    target: 'all',
    section: 'Integer Arithmetic Instructions',
    anchor: 'integer-arithmetic-instructions-mad',
  },
  {
    mnemonic: 'fma',
    title: 'Fused multiply-add',
    summary: 'd = a·b + c with a single rounding. The promotion step is FFMAs: final += acc · (scale_a · scale_b).',
    ptx: '2.0',
    target: 'all',
    section: 'Floating-Point Instructions',
    anchor: 'floating-point-instructions-fma',
  },
  {
    mnemonic: 'min',
    title: 'Minimum',
    summary: 'Smaller of two values.',
    ptx: '1.0',
    target: 'all',
    section: 'Integer Arithmetic Instructions',
    anchor: 'integer-arithmetic-instructions-min',
  },
  {
    mnemonic: 'max',
    title: 'Maximum',
    summary: 'Larger of two values.',
    ptx: '1.0',
    target: 'all',
    section: 'Integer Arithmetic Instructions',
    anchor: 'integer-arithmetic-instructions-max',
  },
  {
    mnemonic: 'and',
    title: 'Bitwise AND',
    summary: 'Bitwise AND (also of predicates).',
    ptx: '1.0',
    target: 'all',
    section: 'Logic and Shift Instructions',
    anchor: 'logic-and-shift-instructions-and',
  },
  {
    mnemonic: 'or',
    title: 'Bitwise OR',
    summary: 'Bitwise OR (also of predicates).',
    ptx: '1.0',
    target: 'all',
    section: 'Logic and Shift Instructions',
    anchor: 'logic-and-shift-instructions-or',
  },
  {
    mnemonic: 'xor',
    title: 'Bitwise XOR',
    summary: 'Bitwise exclusive OR — e.g. flipping the phase bit.',
    ptx: '1.0',
    target: 'all',
    section: 'Logic and Shift Instructions',
    anchor: 'logic-and-shift-instructions-xor',
  },
  {
    mnemonic: 'not',
    title: 'Bitwise NOT',
    summary: 'Inverts bits (or a predicate).',
    ptx: '1.0',
    target: 'all',
    section: 'Logic and Shift Instructions',
    anchor: 'logic-and-shift-instructions-not',
  },
  {
    mnemonic: 'shl',
    title: 'Shift left',
    summary: 'Shifts bits left.',
    ptx: '1.0',
    target: 'all',
    section: 'Logic and Shift Instructions',
    anchor: 'logic-and-shift-instructions-shl',
  },
  {
    mnemonic: 'shr',
    title: 'Shift right',
    summary: 'Shifts bits right (arithmetic for signed types).',
    ptx: '1.0',
    target: 'all',
    section: 'Logic and Shift Instructions',
    anchor: 'logic-and-shift-instructions-shr',
  },
  {
    mnemonic: 'lop3',
    title: 'Any three-input logic function',
    summary: 'Computes an arbitrary bitwise function of three inputs given by an 8-bit truth table.',
    ptx: '4.3',
    target: 'sm_50',
    section: 'Logic and Shift Instructions',
    anchor: 'logic-and-shift-instructions-lop3',
  },
  {
    mnemonic: 'atom',
    title: 'Atomic read-modify-write',
    summary: 'Atomically updates memory and returns the old value (add, min, max, exch, cas, …).',
    ptx: '1.1',
    target: 'all',
    section: 'Parallel Synchronization and Communication Instructions',
    anchor: SYNC + 'atom',
  },
  {
    mnemonic: 'red',
    title: 'Atomic reduction without result',
    summary: 'Like atom but returns nothing (cheaper): add/min/max/… into memory.',
    ptx: '1.2',
    target: 'all',
    section: 'Parallel Synchronization and Communication Instructions',
    anchor: SYNC + 'red',
  },
  {
    mnemonic: 'vote.sync',
    title: 'Warp vote',
    summary: 'Combines a predicate across the warp (`.all`, `.any`, `.uni`, `.ballot`).',
    ptx: '6.0',
    target: 'sm_30',
    section: 'Parallel Synchronization and Communication Instructions',
    anchor: SYNC + 'vote-sync',
  },
  {
    mnemonic: 'redux.sync',
    title: 'Warp reduction',
    summary: 'Reduces a 32-bit value across the lanes of the mask (add, min, max, and, or, xor).',
    ptx: '7.0',
    target: 'sm_80',
    section: 'Parallel Synchronization and Communication Instructions',
    anchor: SYNC + 'redux-sync',
  },
  {
    mnemonic: 'activemask',
    title: 'Mask of active lanes',
    summary: 'Returns the 32-bit mask of currently active lanes in the warp.',
    ptx: '6.2',
    target: 'sm_30',
    section: 'Parallel Synchronization and Communication Instructions',
    anchor: SYNC + 'activemask',
  },
];

export const ptxEntries: PtxEntry[] = [...hopperWarpgroup, ...tma, ...mbarrier, ...fences, ...general];
