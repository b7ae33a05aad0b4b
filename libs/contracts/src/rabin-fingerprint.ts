/**
 * CRC-64-AVRO (Rabin) fingerprint, as defined by the Avro specification ("Schema Fingerprints").
 * avsc only offers crypto hashes (md5, sha256), and the single-object encoding requires this one.
 *
 * The 64-bit state is kept as two uint32 halves: BigInt arithmetic would be ~20x slower, and
 * fingerprints are computed for every schema the catalog loads.
 */

const EMPTY_HI = 0xc15d213a;
const EMPTY_LO = 0xa4d7a795;

const TABLE_HI = new Uint32Array(256);
const TABLE_LO = new Uint32Array(256);

for (let i = 0; i < 256; i += 1) {
  let hi = 0;
  let lo = i;
  for (let j = 0; j < 8; j += 1) {
    const lsb = lo & 1;
    // fp = (fp >>> 1) ^ (EMPTY & -(fp & 1))
    lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
    hi = hi >>> 1;
    if (lsb) {
      hi = (hi ^ EMPTY_HI) >>> 0;
      lo = (lo ^ EMPTY_LO) >>> 0;
    }
  }
  TABLE_HI[i] = hi;
  TABLE_LO[i] = lo;
}

/** The 8 fingerprint bytes, little-endian, as they appear in the single-object encoding header. */
export function rabinFingerprint64(data: Uint8Array | string): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let hi = EMPTY_HI;
  let lo = EMPTY_LO;
  for (let k = 0; k < bytes.length; k += 1) {
    const index = (lo ^ (bytes[k] as number)) & 0xff;
    // fp = (fp >>> 8) ^ TABLE[(fp ^ b) & 0xff]
    const shiftedLo = ((lo >>> 8) | ((hi & 0xff) << 24)) >>> 0;
    const shiftedHi = hi >>> 8;
    hi = (shiftedHi ^ (TABLE_HI[index] as number)) >>> 0;
    lo = (shiftedLo ^ (TABLE_LO[index] as number)) >>> 0;
  }
  const out = Buffer.allocUnsafe(8);
  out.writeUInt32LE(lo, 0);
  out.writeUInt32LE(hi, 4);
  return out;
}

/** The fingerprint as a signed 64-bit integer, the form the Avro test suite and Java API use. */
export function rabinFingerprintAsLong(data: Uint8Array | string): bigint {
  return rabinFingerprint64(data).readBigInt64LE(0);
}
