// CRC-32 (IEEE 802.3, the zlib/PNG polynomial) of a string's UTF-8 bytes, as 8 hex digits. Stores
// put it beside each record so a torn or edited line is recognised and skipped, not misread.
// Pure: no Node imports (TextEncoder is a global in Node and browsers alike).

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

const encoder = new TextEncoder();

export function crc32Hex(text: string): string {
  let crc = 0xffffffff;
  for (const byte of encoder.encode(text)) crc = TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return ((crc ^ 0xffffffff) >>> 0).toString(16).padStart(8, '0');
}
