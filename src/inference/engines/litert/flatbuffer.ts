/**
 * A small FlatBuffers writer (and the reader its tests use), enough to write a TFLite model:
 * tables of scalars and offsets, vectors of scalars, tables and strings, and aligned byte blobs.
 *
 * Layout facts from the FlatBuffers format: the buffer starts with a uoffset (u32) to the root
 * table, then an optional 4-byte file identifier; a table starts with an soffset (i32) equal to
 * `table − vtable`; a vtable is u16 [its own size, the table's size, one offset per field (0 =
 * absent)]; a uoffset is relative to where it is stored and must point forward; vectors and
 * strings are a u32 length followed by their items (strings end with a NUL byte). Everything is
 * little-endian.
 *
 * Unlike the usual back-to-front builder, this one writes front to back: a parent is written
 * first with its offset slots left blank, and each child is appended later and its slot patched.
 * Children therefore always lie after their parents, which is what forward uoffsets need.
 */

/** A scalar field type. */
export type Scalar = 'u8' | 'i8' | 'bool' | 'u16' | 'i16' | 'u32' | 'i32' | 'f32';

const SIZE: Record<Scalar, number> = {
  u8: 1,
  i8: 1,
  bool: 1,
  u16: 2,
  i16: 2,
  u32: 4,
  i32: 4,
  f32: 4,
};

/** A value the writer can lay out. */
export type FbNode =
  | { kind: 'table'; fields: (FbField | undefined)[] }
  | { kind: 'vector'; type: Scalar; values: ArrayLike<number> }
  | { kind: 'bytes'; data: Uint8Array; align: number }
  | { kind: 'offsets'; items: FbNode[] }
  | { kind: 'string'; value: string };

/** One field of a table: a scalar or an offset to another node. */
export type FbField = { type: Scalar; value: number } | { type: 'offset'; node: FbNode };

/** A table whose field ids are the array indices (undefined: absent). */
export const table = (...fields: (FbField | undefined)[]): FbNode => ({ kind: 'table', fields });
/** A scalar field. */
export const scalar = (type: Scalar, value: number): FbField => ({ type, value });
/** An offset field. */
export const ref = (node: FbNode): FbField => ({ type: 'offset', node });
/** A vector of scalars. */
export const vector = (type: Scalar, values: ArrayLike<number>): FbNode => ({
  kind: 'vector',
  type,
  values,
});
/** A vector of tables or strings. */
export const offsets = (items: FbNode[]): FbNode => ({ kind: 'offsets', items });
/** A string. */
export const str = (value: string): FbNode => ({ kind: 'string', value });
/** A byte vector whose first byte is aligned to `align` (e.g. tensor data). */
export const bytes = (data: Uint8Array, align = 16): FbNode => ({ kind: 'bytes', data, align });

class Sink {
  buf: Uint8Array;
  view: DataView;
  pos = 0;

  constructor(size: number) {
    this.buf = new Uint8Array(Math.max(64, size));
    this.view = new DataView(this.buf.buffer);
  }

  reserve(n: number): number {
    if (this.pos + n > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < this.pos + n) size *= 2;
      const next = new Uint8Array(size);
      next.set(this.buf.subarray(0, this.pos));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  /** Pads with zeros so that `pos + lead` is a multiple of `align`. */
  pad(align: number, lead = 0): void {
    const rem = (this.pos + lead) % align;
    if (rem !== 0) this.reserve(align - rem);
  }

  put(type: Scalar, at: number, value: number): void {
    const v = this.view;
    if (type === 'u8' || type === 'bool') v.setUint8(at, value);
    else if (type === 'i8') v.setInt8(at, value);
    else if (type === 'u16') v.setUint16(at, value, true);
    else if (type === 'i16') v.setInt16(at, value, true);
    else if (type === 'u32') v.setUint32(at, value, true);
    else if (type === 'i32') v.setInt32(at, value, true);
    else v.setFloat32(at, value, true);
  }
}

/**
 * Serialises `root` (a table) with an optional 4-character file identifier. `sizeHint`: the bytes
 * expected, so a large file is not regrown (and copied) on the way.
 */
export function finish(root: FbNode, identifier?: string, sizeHint = 1 << 16): Uint8Array {
  if (root.kind !== 'table') throw new Error('the root of a FlatBuffer is a table');
  const sink = new Sink(sizeHint);
  sink.reserve(identifier ? 8 : 4);
  if (identifier) {
    if (identifier.length !== 4) throw new Error('a file identifier has 4 characters');
    for (let i = 0; i < 4; i++) sink.buf[4 + i] = identifier.charCodeAt(i);
  }
  // (slot position, node) pairs waiting for their node to be written
  const pending: [number, FbNode][] = [[0, root]];
  for (let i = 0; i < pending.length; i++) {
    const [slot, node] = pending[i] as [number, FbNode];
    const at = writeNode(sink, node, pending);
    sink.view.setUint32(slot, at - slot, true);
  }
  // A view when the buffer is nearly full (no copy of a large file), else a trimmed copy.
  return sink.pos >= sink.buf.length - (1 << 20)
    ? sink.buf.subarray(0, sink.pos)
    : sink.buf.slice(0, sink.pos);
}

function writeNode(sink: Sink, node: FbNode, pending: [number, FbNode][]): number {
  switch (node.kind) {
    case 'table':
      return writeTable(sink, node.fields, pending);
    case 'vector': {
      const size = SIZE[node.type];
      sink.pad(Math.max(4, size), 4);
      const at = sink.reserve(4 + size * node.values.length);
      sink.view.setUint32(at, node.values.length, true);
      for (let i = 0; i < node.values.length; i++) {
        sink.put(node.type, at + 4 + i * size, node.values[i] as number);
      }
      return at;
    }
    case 'bytes': {
      sink.pad(Math.max(4, node.align), 4);
      const at = sink.reserve(4 + node.data.length);
      sink.view.setUint32(at, node.data.length, true);
      sink.buf.set(node.data, at + 4);
      return at;
    }
    case 'offsets': {
      sink.pad(4);
      const at = sink.reserve(4 + 4 * node.items.length);
      sink.view.setUint32(at, node.items.length, true);
      node.items.forEach((item, i) => pending.push([at + 4 + 4 * i, item]));
      return at;
    }
    case 'string': {
      const encoded = new TextEncoder().encode(node.value);
      sink.pad(4);
      const at = sink.reserve(4 + encoded.length + 1);
      sink.view.setUint32(at, encoded.length, true);
      sink.buf.set(encoded, at + 4);
      return at;
    }
  }
}

function writeTable(sink: Sink, fields: (FbField | undefined)[], pending: [number, FbNode][]) {
  // The table's own layout: soffset, then fields, largest first so each stays aligned.
  const order = fields
    .map((f, id) => ({ f, id }))
    .filter((x): x is { f: FbField; id: number } => x.f !== undefined)
    .sort((a, b) => sizeOf(b.f) - sizeOf(a.f));
  const offsetsInTable = new Map<number, number>();
  let size = 4;
  for (const { f, id } of order) {
    const s = sizeOf(f);
    size = Math.ceil(size / s) * s;
    offsetsInTable.set(id, size);
    size += s;
  }
  size = Math.ceil(size / 4) * 4;
  const vtableBytes = 4 + 2 * fields.length;
  // vtable first (u16-aligned), then the table on a 4-byte boundary.
  sink.pad(2);
  const vtable = sink.reserve(vtableBytes);
  sink.pad(4);
  const at = sink.reserve(size);
  sink.view.setUint16(vtable, vtableBytes, true);
  sink.view.setUint16(vtable + 2, size, true);
  fields.forEach((_, id) =>
    sink.view.setUint16(vtable + 4 + 2 * id, offsetsInTable.get(id) ?? 0, true),
  );
  sink.view.setInt32(at, at - vtable, true);
  for (const { f, id } of order) {
    const o = at + (offsetsInTable.get(id) as number);
    if (f.type === 'offset') pending.push([o, f.node]);
    else sink.put(f.type, o, f.value);
  }
  return at;
}

function sizeOf(f: FbField): number {
  return f.type === 'offset' ? 4 : SIZE[f.type];
}

/** A read-only view of a table inside a FlatBuffer (tests and sanity checks). */
export class FbTable {
  constructor(
    readonly view: DataView,
    readonly at: number,
  ) {}

  /** The root table of a buffer. */
  static root(buffer: Uint8Array): FbTable {
    const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    return new FbTable(view, view.getUint32(0, true));
  }

  /** Where field `id` lies, or null when absent. */
  field(id: number): number | null {
    const vtable = this.at - this.view.getInt32(this.at, true);
    const vsize = this.view.getUint16(vtable, true);
    if (4 + 2 * id >= vsize) return null;
    const o = this.view.getUint16(vtable + 4 + 2 * id, true);
    return o === 0 ? null : this.at + o;
  }

  /** A scalar field, or `fallback` when absent. */
  scalar(id: number, type: Scalar, fallback = 0): number {
    const at = this.field(id);
    if (at === null) return fallback;
    const v = this.view;
    if (type === 'u8' || type === 'bool') return v.getUint8(at);
    if (type === 'i8') return v.getInt8(at);
    if (type === 'u16') return v.getUint16(at, true);
    if (type === 'i16') return v.getInt16(at, true);
    if (type === 'u32') return v.getUint32(at, true);
    if (type === 'i32') return v.getInt32(at, true);
    return v.getFloat32(at, true);
  }

  private target(id: number): number | null {
    const at = this.field(id);
    return at === null ? null : at + this.view.getUint32(at, true);
  }

  /** A sub-table field. */
  table(id: number): FbTable | null {
    const t = this.target(id);
    return t === null ? null : new FbTable(this.view, t);
  }

  /** A vector of tables. */
  tables(id: number): FbTable[] {
    const t = this.target(id);
    if (t === null) return [];
    const n = this.view.getUint32(t, true);
    return Array.from({ length: n }, (_, i) => {
      const slot = t + 4 + 4 * i;
      return new FbTable(this.view, slot + this.view.getUint32(slot, true));
    });
  }

  /** A vector of scalars. */
  scalars(id: number, type: Scalar): number[] {
    const t = this.target(id);
    if (t === null) return [];
    const n = this.view.getUint32(t, true);
    const probe = new FbTable(this.view, 0);
    return Array.from({ length: n }, (_, i) => probe.read(type, t + 4 + i * SIZE[type]));
  }

  /** A byte vector (a view, not a copy) and where its data starts. */
  bytes(id: number): { data: Uint8Array; start: number } | null {
    const t = this.target(id);
    if (t === null) return null;
    const n = this.view.getUint32(t, true);
    const start = this.view.byteOffset + t + 4;
    return { data: new Uint8Array(this.view.buffer, start, n), start: t + 4 };
  }

  /** A string field. */
  string(id: number): string | null {
    const b = this.bytes(id);
    return b ? new TextDecoder().decode(b.data) : null;
  }

  private read(type: Scalar, at: number): number {
    const v = this.view;
    if (type === 'u8' || type === 'bool') return v.getUint8(at);
    if (type === 'i8') return v.getInt8(at);
    if (type === 'u16') return v.getUint16(at, true);
    if (type === 'i16') return v.getInt16(at, true);
    if (type === 'u32') return v.getUint32(at, true);
    if (type === 'i32') return v.getInt32(at, true);
    return v.getFloat32(at, true);
  }
}
