/**
 * A minimal protobuf wire-format writer: just what ONNX ModelProto needs (varints, fixed32/fixed64,
 * length-delimited strings, bytes and nested messages, packed repeated numbers). Written by hand so
 * that the bytes depend only on the call sequence: same model, same bytes (no map ordering, no
 * default-value elision surprises from a generated encoder).
 */

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

const textEncoder = new TextEncoder();

export class ProtoWriter {
  private buf = new Uint8Array(256);
  private len = 0;
  private readonly view4 = new DataView(new ArrayBuffer(8));

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  /** Unsigned or two's-complement 64-bit varint (negative int64 takes 10 bytes, as protobuf says). */
  varint(value: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(value));
    if (v < 0x80n) {
      this.byte(Number(v));
      return;
    }
    while (v >= 0x80n) {
      this.byte(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.byte(Number(v));
  }

  private smallVarint(value: number): void {
    // Fast path for tags and lengths (non-negative, < 2^31).
    let v = value >>> 0;
    while (v >= 0x80) {
      this.byte((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    this.byte(v);
  }

  private tag(field: number, wire: number): void {
    this.smallVarint((field << 3) | wire);
  }

  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  int64(field: number, value: number | bigint): void {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) {
      throw new RangeError(`protobuf field ${field}: ${value} is not an integer`);
    }
    this.tag(field, WIRE_VARINT);
    this.varint(value);
  }

  float(field: number, value: number): void {
    this.tag(field, WIRE_FIXED32);
    this.view4.setFloat32(0, value, true);
    this.ensure(4);
    for (let i = 0; i < 4; i++) this.buf[this.len++] = this.view4.getUint8(i);
  }

  bytes(field: number, value: Uint8Array): void {
    this.tag(field, WIRE_LEN);
    this.smallVarint(value.length);
    this.raw(value);
  }

  string(field: number, value: string): void {
    this.bytes(field, textEncoder.encode(value));
  }

  message(field: number, build: (w: ProtoWriter) => void): void {
    const sub = new ProtoWriter();
    build(sub);
    this.bytes(field, sub.finish());
  }

  packedFloats(field: number, values: ArrayLike<number>): void {
    const out = new Uint8Array(values.length * 4);
    const view = new DataView(out.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i] as number, true);
    this.bytes(field, out);
  }

  packedDoubles(field: number, values: ArrayLike<number>): void {
    const out = new Uint8Array(values.length * 8);
    const view = new DataView(out.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i] as number, true);
    this.bytes(field, out);
  }

  packedInt64s(field: number, values: ArrayLike<number>): void {
    const sub = new ProtoWriter();
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      if (!Number.isSafeInteger(v)) throw new RangeError(`protobuf field ${field}: ${v} is not an integer`);
      sub.varint(v);
    }
    this.bytes(field, sub.finish());
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

export const WIRE = { VARINT: WIRE_VARINT, FIXED64: WIRE_FIXED64, LEN: WIRE_LEN, FIXED32: WIRE_FIXED32 } as const;
