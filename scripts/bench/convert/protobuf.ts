/**
 * A minimal Protocol Buffers encoder (and the decoder its tests use): varints, length-delimited
 * fields and 32-bit floats — what an ONNX model needs. Wire format facts: a key is
 * `(field << 3) | wireType` as a varint; wire type 0 = varint, 2 = length-delimited, 5 = 32-bit.
 * Messages are built bottom-up as lists of byte chunks, so large tensors are never copied
 * until the final join.
 */

/** An encoded message: its chunks and total length. */
export class Message {
  readonly chunks: Uint8Array[] = [];
  length = 0;

  private push(chunk: Uint8Array): this {
    this.chunks.push(chunk);
    this.length += chunk.length;
    return this;
  }

  private key(field: number, wireType: number): this {
    return this.push(varint(field * 8 + wireType));
  }

  /** A varint field (int32, int64, enum, bool); negative numbers as 10-byte two's complement. */
  int(field: number, value: number): this {
    return this.key(field, 0).push(varint(value));
  }

  /** A float field. */
  float(field: number, value: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    return this.key(field, 5).push(b);
  }

  /** A string field (UTF-8). */
  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  /** A bytes field (not copied). */
  bytes(field: number, value: Uint8Array): this {
    return this.key(field, 2).push(varint(value.length)).push(value);
  }

  /** An embedded message field. */
  message(field: number, value: Message): this {
    this.key(field, 2).push(varint(value.length));
    for (const c of value.chunks) this.push(c);
    return this;
  }

  /** A repeated varint field, one key per value (proto2's default, unpacked encoding). */
  ints(field: number, values: readonly number[]): this {
    for (const v of values) this.int(field, v);
    return this;
  }

  /** A packed repeated varint field. */
  packedInts(field: number, values: readonly number[]): this {
    const body = values.map(varint);
    const n = body.reduce((a, b) => a + b.length, 0);
    this.key(field, 2).push(varint(n));
    for (const b of body) this.push(b);
    return this;
  }

  /** The whole message as one buffer. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/** Base-128 varint of a safe integer (negative: 64-bit two's complement, 10 bytes). */
export function varint(value: number): Uint8Array {
  if (!Number.isSafeInteger(value)) throw new Error(`not an integer: ${value}`);
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return Uint8Array.from(out);
}

/** One decoded field. */
export interface DecodedField {
  field: number;
  wireType: number;
  /** varints as bigint; 32-bit fields as their 4 bytes; length-delimited as bytes */
  value: bigint | Uint8Array;
}

/** Decodes one level of a message into its fields (tests and sanity checks). */
export function decodeFields(buf: Uint8Array): DecodedField[] {
  const fields: DecodedField[] = [];
  let at = 0;
  const readVarint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = buf[at++];
      if (byte === undefined) throw new Error('truncated varint');
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (at < buf.length) {
    const key = Number(readVarint());
    const field = key >>> 3;
    const wireType = key & 7;
    if (wireType === 0) fields.push({ field, wireType, value: readVarint() });
    else if (wireType === 2) {
      const n = Number(readVarint());
      fields.push({ field, wireType, value: buf.subarray(at, at + n) });
      at += n;
    } else if (wireType === 5) {
      fields.push({ field, wireType, value: buf.subarray(at, at + 4) });
      at += 4;
    } else if (wireType === 1) {
      fields.push({ field, wireType, value: buf.subarray(at, at + 8) });
      at += 8;
    } else throw new Error(`wire type ${wireType} not supported`);
  }
  return fields;
}
