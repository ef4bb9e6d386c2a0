// CUDA and Hopper concepts a reader meets in the kernels' C++ (outside asm strings), in our words.
import type { ConceptEntry } from './types';

const PG = 'https://docs.nvidia.com/cuda/cuda-c-programming-guide/index.html';
const PTX = 'https://docs.nvidia.com/cuda/parallel-thread-execution/';

export const concepts: ConceptEntry[] = [
  {
    id: 'grid_constant',
    identifiers: ['__grid_constant__'],
    title: '`__grid_constant__` kernel parameter',
    body:
      'Marks a `const` kernel parameter that the kernel never copies or takes a writable address of, so the compiler ' +
      'keeps it in parameter (constant) space and code may take its address. TMA needs exactly that: a CUtensorMap passed ' +
      'by value as `const __grid_constant__` stays in parameter space, where `cp.async.bulk.tensor` and ' +
      '`prefetch.tensormap` can read it by address. Our kernels take one `const __grid_constant__ fp8lab::GemmArgs` ' +
      'holding all tensor maps (kernel parameters are limited to 4 KiB).',
    links: [{ label: 'CUDA Programming Guide: __grid_constant__', url: PG + '#grid-constant' }],
  },
  {
    id: 'launch_bounds',
    identifiers: ['__launch_bounds__'],
    title: '`__launch_bounds__(maxThreads, minBlocksPerSM)`',
    body:
      'Promises the compiler the kernel never launches with more than `maxThreads` threads per CTA (and optionally wants ' +
      '`minBlocksPerSM` CTAs resident). ptxas then caps registers at 65536 / (maxThreads · minBlocks), rounded to its ' +
      'allocation granularity. A persistent warp-specialised GEMM uses `(128 · (1 + math warpgroups), 1)`: one CTA per SM, ' +
      'so every thread may use up to the register limit before `setmaxnreg` rebalances between producer and math warpgroups.',
    links: [{ label: 'CUDA Programming Guide: Launch Bounds', url: PG + '#launch-bounds' }],
  },
  {
    id: 'cluster_dims',
    identifiers: [
      '__cluster_dims__',
      'cudaLaunchAttributeClusterDimension',
      'CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION',
      'cluster_sync',
      'cluster',
    ],
    title: 'Thread block clusters',
    body:
      'Hopper groups CTAs into clusters (`__cluster_dims__(x,y,z)` at compile time, or a launch attribute) that are ' +
      "scheduled together on one GPC. CTAs of a cluster can read and write each other's shared memory (distributed shared " +
      "memory, `mapa`), arrive on each other's mbarriers, and receive one TMA load multicast to all of them. A 2-CTA " +
      'cluster along M shares the B tile (each CTA loads half and multicasts it), halving L2 traffic for B. Portable ' +
      'maximum: 8 CTAs. The grid must be a multiple of the cluster size.',
    links: [{ label: 'CUDA Programming Guide: Thread Block Clusters', url: PG + '#thread-block-clusters' }],
  },
  {
    id: 'tensormap',
    identifiers: [
      'CUtensorMap',
      'TmaDescriptor',
      'cuTensorMapEncodeTiled',
      'CUtensorMap_st',
      'tma_a',
      'tma_b',
      'tma_sfa',
      'tma_d',
      'tma_sfb',
    ],
    title: 'Tensor map (CUtensorMap) — how the TMA sees a tensor',
    body:
      'A 128-byte, 64-byte-aligned descriptor the host builds with `cuTensorMapEncodeTiled`: base address, element type, ' +
      'up to 5 dimensions and byte strides, the box (tile) size copied per request, element strides, the shared-memory ' +
      'swizzle mode, L2 promotion and out-of-bounds fill (zeros). The kernel only passes its address and tile coordinates ' +
      'to `cp.async.bulk.tensor`. Here `fp8lab::TmaDescriptor` is the same 128 bytes, opaque, so device code needs no ' +
      'driver header; the maps travel inside the `__grid_constant__` GemmArgs.',
    links: [
      {
        label: 'CUDA Driver API: Tensor Map Object Management',
        url: 'https://docs.nvidia.com/cuda/cuda-driver-api/group__CUDA__TENSOR__MEMORY.html',
      },
      { label: 'PTX: Tensor maps', url: PTX + '#tensor-tensormap' },
    ],
  },
  {
    id: 'swizzle',
    identifiers: [
      'CU_TENSOR_MAP_SWIZZLE_128B',
      'CU_TENSOR_MAP_SWIZZLE_64B',
      'CU_TENSOR_MAP_SWIZZLE_32B',
      'CU_TENSOR_MAP_SWIZZLE_NONE',
      'CUtensorMapSwizzle',
    ],
    patterns: ['[A-Za-z_]*[Ss]wizzle[A-Za-z0-9_]*'],
    title: 'Shared-memory swizzle modes (32 / 64 / 128 bytes)',
    body:
      'A tile row of 128 bytes stored naively puts the same column of consecutive rows in the same shared-memory bank, so ' +
      'tensor-core reads conflict. Swizzling XORs the 16-byte chunk index within each 128/64/32-byte row segment with ' +
      'low bits of the row index, spreading a column over all banks. The TMA writes with the swizzle named in the tensor ' +
      'map, and the wgmma descriptor must name the same mode, or the MMA reads garbage. 128-byte swizzle (the inner box ' +
      'dimension must be exactly 128 bytes = 128 FP8 elements of K) needs the tile aligned to 1024 bytes. The epilogue ' +
      'swizzles the BF16 staging tile the same way so stmatrix writes and the TMA store agree.',
    links: [{ label: 'PTX: Tensor swizzling modes', url: PTX + '#tensor-swizzling-modes' }],
  },
  {
    id: 'wgmma_descriptor',
    identifiers: [
      'WgmmaDescriptor',
      'GmmaDescriptor',
      'desc_a',
      'desc_b',
      'start_address',
      'leading_byte_offset',
      'stride_byte_offset',
      'base_offset',
      'layout_type',
      'kWgmmaLayoutSwizzle128B',
    ],
    patterns: ['make_wgmma_desc.*', 'wgmma_desc_origins.*', '.*_desc_(a|b)'],
    title: 'wgmma shared-memory matrix descriptor (64 bits)',
    body:
      'How `wgmma.mma_async` finds an operand tile in shared memory without registers: bits 0–13 start address >> 4; ' +
      'bits 16–29 leading byte offset >> 4 (LBO; unused for swizzled K-major tiles); bits 32–45 stride byte offset >> 4 ' +
      '(SBO: distance between groups of 8 rows, 1024 B for 128-byte rows); bits 49–51 base offset (0 when the tile is ' +
      '1024-byte aligned); bits 62–63 layout: 0 none, 1 = 128-byte swizzle, 2 = 64-byte, 3 = 32-byte. The layout must ' +
      'be the swizzle the TMA wrote the tile with. Moving to the next k32 slice of a 128-byte row just adds 32 bytes to ' +
      'the start address: the hardware applies the swizzle to the final address.',
    links: [
      {
        label: 'PTX: Matrix descriptor',
        url: PTX + '#asynchronous-warpgroup-level-matrix-shared-memory-layout-matrix-descriptor',
      },
    ],
  },
  {
    id: 'warpgroup',
    identifiers: ['warpgroup', 'kNumWarpgroups', 'warpgroup_idx', 'wg_idx', 'kWarpgroupSize'],
    patterns: ['.*[Ww]arp[Gg]roup.*', '.*_wg(_.*)?'],
    title: 'Warpgroup',
    body:
      "Four consecutive warps — 128 threads whose warp indices are 4k…4k+3 — acting as one unit. Hopper's `wgmma` and " +
      '`setmaxnreg` are warpgroup-wide: all 128 threads execute them together. A warp-specialised GEMM gives each ' +
      'warpgroup a role: warpgroup 0 is the TMA producer, the others are math (consumer) warpgroups, each computing ' +
      '64 rows of the output tile per wgmma.',
    links: [
      {
        label: 'PTX: Asynchronous warpgroup level matrix instructions',
        url: PTX + '#asynchronous-warpgroup-level-matrix-instructions',
      },
    ],
  },
  {
    id: 'setmaxnreg',
    identifiers: [
      'warpgroup_reg_alloc',
      'warpgroup_reg_dealloc',
      'kNumTMARegisters',
      'kNumMathRegisters',
      'kProducerRegisters',
      'kMathRegisters',
    ],
    patterns: ['setmaxnreg.*', '.*[Rr]eg(ister)?_?(alloc|dealloc).*'],
    title: 'Register rebalancing between warpgroups (setmaxnreg)',
    body:
      'A kernel launches with one register budget per thread for all warps. The TMA producer needs few registers (~40), ' +
      "the math warpgroups many (their FP32 accumulators and promoted sums). `setmaxnreg.dec` lowers the producer's " +
      'budget and returns registers to the SM pool; `setmaxnreg.inc` lets the math warpgroups claim them (values multiple ' +
      'of 8 in 24…256). With 384 threads: 40 for the producer, 232 for each of the two math warpgroups fits 64K registers.',
    links: [{ label: 'PTX: setmaxnreg', url: PTX + '#miscellaneous-instructions-setmaxnreg' }],
  },
  {
    id: 'promotion',
    identifiers: ['final_accum', 'promote', 'kNumPromotion', 'scale_a', 'scale_b', 'sfa', 'sfb'],
    patterns: ['promot.*', '.*_promot.*', 'final_acc.*'],
    title: 'The promotion step (FP8 fine-grained scaling)',
    body:
      'Each 1×128 slice of A and each 128×128 block of B has its own FP32 scale. The tensor cores multiply raw FP8 values ' +
      'for one K-block of 128 (four wgmma k32), accumulating with limited precision (about 14 bits). Then the math threads ' +
      '"promote": every accumulator element is multiplied by scale_a(row) · scale_b(block) and added into a separate FP32 ' +
      'sum on the CUDA cores (FFMA), and the tensor-core accumulator starts again from zero. This applies the scales and ' +
      'keeps full FP32 precision across K. With two math warpgroups, one promotes while the other issues wgmma.',
    links: [
      { label: 'DeepSeek-V3 technical report §3.3', url: 'https://arxiv.org/abs/2412.19437' },
      {
        label: 'Colfax: DeepSeek-R1 and FP8 mixed-precision training',
        url: 'https://research.colfax-intl.com/deepseek-r1-and-fp8-mixed-precision-training',
      },
    ],
  },
  {
    id: 'mbarrier_phase',
    identifiers: [
      'full_barriers',
      'empty_barriers',
      'full_barrier',
      'empty_barrier',
      'ClusterTransactionBarrier',
      'phase',
      'kNumBarriers',
    ],
    patterns: ['.*_?phase(_.*)?', '(full|empty)_?(bar|barrier)s?.*'],
    title: 'mbarrier phases in the stage ring',
    body:
      'Each pipeline stage has two mbarriers. "full" completes a phase when the producer has arrived (with expect_tx of the ' +
      'stage\'s bytes) and the TMA has delivered those bytes: the consumers may read the stage. "empty" completes when every ' +
      'consumer (of every CTA sharing the tile by multicast) has arrived: the producer may refill it. A completed phase ' +
      "flips the barrier's phase bit; waiters name the phase by parity (`try_wait.parity`), so a loop over the ring " +
      'flips its own `phase` bit each time the stage index wraps to 0. The producer waits on empty with the opposite ' +
      "parity of the consumer's wait on full.",
    links: [{ label: 'PTX: mbarrier', url: PTX + '#parallel-synchronization-and-communication-instructions-mbarrier' }],
  },
  {
    id: 'pdl',
    identifiers: [
      'cudaGridDependencySynchronize',
      'cudaTriggerProgrammaticLaunchCompletion',
      'cudaLaunchAttributeProgrammaticStreamSerialization',
      'griddepcontrol_wait',
      'griddepcontrol_launch_dependents',
    ],
    title: 'Programmatic Dependent Launch (PDL)',
    body:
      'With the launch attribute `cudaLaunchAttributeProgrammaticStreamSerialization`, a kernel may begin (set up ' +
      'barriers, prefetch tensor maps) while the previous kernel in the stream is still finishing. ' +
      '`cudaGridDependencySynchronize()` (PTX `griddepcontrol.wait`) blocks until that previous grid has completed and its ' +
      'writes are visible: put it before the first read of anything it produced. ' +
      '`cudaTriggerProgrammaticLaunchCompletion()` (`griddepcontrol.launch_dependents`) lets the next kernel start early. ' +
      'Without the attribute both are no-ops.',
    links: [
      {
        label: 'CUDA Programming Guide: Programmatic Dependent Launch',
        url: PG + '#programmatic-dependent-launch-and-synchronization',
      },
    ],
  },
  {
    id: 'fp8',
    identifiers: ['__nv_fp8_e4m3', '__nv_fp8_e5m2', '__nv_fp8x2_e4m3', '__nv_fp8x4_e4m3'],
    title: 'FP8 formats',
    body:
      'E4M3: 4 exponent bits, 3 mantissa bits, largest finite 448, no infinities (NaN only) — used for activations and ' +
      'weights here, each group scaled by amax/448 into range. E5M2: wider range, 2 mantissa bits (gradients). The scales ' +
      'are FP32 (UE8M0 power-of-two scales are the Blackwell variant).',
    links: [
      {
        label: 'CUDA Math API: FP8 intrinsics',
        url: 'https://docs.nvidia.com/cuda/cuda-math-api/cuda_math_api/group__CUDA__MATH__INTRINSIC__FP8.html',
      },
    ],
  },
  {
    id: 'sm90a',
    identifiers: ['sm_90a', 'compute_90a', '__CUDA_ARCH_FEAT_SM90_ALL'],
    title: 'Arch-specific target sm_90a',
    body:
      '`wgmma`, `setmaxnreg` and `tensormap.replace` exist only when compiling for the architecture-specific target ' +
      '`sm_90a` (`-gencode=arch=compute_90a,code=sm_90a`); such code runs on Hopper only and is not forward compatible. ' +
      '`__CUDA_ARCH_FEAT_SM90_ALL` is defined in that compilation.',
    links: [{ label: 'CUDA Programming Guide: Feature availability', url: PG + '#feature-availability' }],
  },
  {
    id: 'persistent',
    identifiers: ['kNumSMs', 'num_sms', 'Scheduler', 'get_next_block'],
    patterns: ['.*[Ss]cheduler.*'],
    title: 'Persistent kernel and tile scheduler',
    body:
      'The grid has one CTA per SM (a multiple of the cluster size); each CTA loops over output tiles (tile = blockIdx.x, ' +
      'then + gridDim.x …) instead of the hardware launching one CTA per tile. The scheduler walks tiles in swizzled groups ' +
      "so CTAs running at the same time share A rows / B columns in L2, and the next tile's loads overlap this tile's " +
      'epilogue. Tiles / SMs, rounded up, is the number of waves; a last wave that fills few SMs wastes the rest.',
  },
];
