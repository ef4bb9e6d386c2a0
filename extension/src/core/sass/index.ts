// The SASS toolkit (pure): parse cuobjdump/nvdisasm text, decode control bits, count the mix,
// find loops, attribute instructions to source lines, diff two functions, describe opcodes.
export * from './types';
export * from './parse';
export * from './controlBits';
export * from './mix';
export * from './loops';
export * from './sourceLines';
export * from './diff';
export * from './opcodes';
export * from './check';
