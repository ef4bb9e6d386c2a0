// PTX special registers (read with `mov.u32 %0, %name;`), in our words. Sections: PTX ISA 9.1 chapter 10.
import type { SpecialRegisterEntry } from './types';

const sr = (name: string, title: string, summary: string, ptx: string, target: string, section: string): SpecialRegisterEntry =>
  ({ name, title, summary, ptx, target, section, anchor: 'special-registers-' + name.replace(/_/g, '-') });

export const specialRegisters: SpecialRegisterEntry[] = [
  sr('tid', 'Thread index in the CTA', 'threadIdx as a vector (.x/.y/.z).', '1.0', 'all', '10.1'),
  sr('ntid', 'CTA dimensions', 'blockDim as a vector (.x/.y/.z).', '1.0', 'all', '10.2'),
  sr('laneid', 'Lane within the warp', 'This thread\'s lane number, 0–31.', '1.3', 'all', '10.3'),
  sr('warpid', 'Warp slot on the SM (volatile)', 'The hardware warp slot the warp runs in right now; it may change during execution (preemption), so it is NOT threadIdx.x / 32 — use that for warp roles.', '1.3', 'all', '10.4'),
  sr('nwarpid', 'Number of warp slots', 'Maximum number of warp ids on the SM.', '2.0', 'sm_20', '10.5'),
  sr('ctaid', 'CTA index in the grid', 'blockIdx as a vector (.x/.y/.z).', '1.0', 'all', '10.6'),
  sr('nctaid', 'Grid dimensions', 'gridDim as a vector (.x/.y/.z).', '1.0', 'all', '10.7'),
  sr('smid', 'SM the thread runs on', 'Identifier of the streaming multiprocessor executing this CTA (0 … %nsmid−1, not necessarily contiguous). Useful to see how a persistent grid lands on SMs; it can change only if the CTA is preempted.', '1.3', 'all', '10.8'),
  sr('nsmid', 'Upper bound of SM ids', 'One more than the largest %smid (ids may have gaps), not the SM count.', '2.0', 'sm_20', '10.9'),
  sr('gridid', 'Grid launch id', 'A 64-bit id of this launch, unique per context while it runs.', '1.0', 'all', '10.10'),
  sr('is_explicit_cluster', 'Was a cluster requested?', 'True when the launch asked for clusters explicitly (attribute or __cluster_dims__), false for the implicit 1-CTA cluster.', '7.8', 'sm_90', '10.11'),
  sr('clusterid', 'Cluster index in the grid', 'Index of this cluster within the grid (.x/.y/.z).', '7.8', 'sm_90', '10.12'),
  sr('nclusterid', 'Number of clusters', 'Number of clusters in the grid (.x/.y/.z).', '7.8', 'sm_90', '10.13'),
  sr('cluster_ctaid', 'CTA index within the cluster', 'This CTA\'s position inside its cluster (.x/.y/.z).', '7.8', 'sm_90', '10.14'),
  sr('cluster_nctaid', 'Cluster dimensions', 'CTAs per cluster along x/y/z.', '7.8', 'sm_90', '10.15'),
  sr('cluster_ctarank', 'CTA rank within the cluster', 'This CTA\'s linear rank in its cluster (0 … %cluster_nctarank−1). With 2-CTA clusters it tells the leader (rank 0) from the peer: it picks which half of a multicast tile this CTA issues and which peer to signal with mapa.', '7.8', 'sm_90', '10.16'),
  sr('cluster_nctarank', 'CTAs in the cluster', 'Number of CTAs in this cluster.', '7.8', 'sm_90', '10.17'),
  sr('lanemask_eq', 'Own lane bit', '32-bit mask with only this lane\'s bit set.', '2.0', 'sm_20', '10.18'),
  sr('lanemask_le', 'Lanes up to mine', 'Mask of lanes with id ≤ this lane.', '2.0', 'sm_20', '10.19'),
  sr('lanemask_lt', 'Lanes below mine', 'Mask of lanes with id < this lane.', '2.0', 'sm_20', '10.20'),
  sr('lanemask_ge', 'Lanes from mine up', 'Mask of lanes with id ≥ this lane.', '2.0', 'sm_20', '10.21'),
  sr('lanemask_gt', 'Lanes above mine', 'Mask of lanes with id > this lane.', '2.0', 'sm_20', '10.22'),
  { ...sr('clock', '32-bit SM cycle counter', 'Per-SM clock cycles (wraps quickly). Counters of different SMs are not synchronised.', '1.0', 'all', '10.23'), anchor: 'special-registers-clock-clock-hi' },
  sr('clock64', '64-bit SM cycle counter', 'Per-SM cycle counter; differences within one SM measure cycles spent (e.g. a pipeline stage\'s wait). Not comparable across SMs — use %globaltimer for that.', '2.0', 'sm_20', '10.24'),
  { ...sr('globaltimer', 'Global nanosecond timer', '64-bit timer in nanoseconds shared by all SMs, so events on different SMs can be put on one timeline (its update granularity is coarse, on the order of a microsecond on some GPUs). _lo/_hi read the halves.', '3.1', 'sm_30', '10.28'), anchor: 'special-registers-globaltimer-globaltimer-lo-globaltimer-hi' },
  { ...sr('dynamic_smem_size', 'Dynamic shared memory of the launch', 'Bytes of dynamic shared memory this CTA was launched with.', '4.1', 'sm_30', '10 (Special Registers)') },
  { ...sr('total_smem_size', 'Total shared memory of the CTA', 'Static + dynamic shared memory allocated to this CTA.', '4.1', 'sm_30', '10 (Special Registers)') },
];
