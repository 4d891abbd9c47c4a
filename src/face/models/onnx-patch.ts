/**
 * Edits an ONNX model's bytes without a schema: declared tensor shapes and a Constant's int64
 * values, everything else (weights, unknown fields) copied through byte for byte. This is how a
 * fixed-batch export becomes a batch-dynamic one at load time, from the very file whose sha256
 * was just verified, so there is no second model file to ship or to trust.
 */

interface Field {
  no: number;
  wire: number;
  /** The field's bytes after its tag (a varint, 8 or 4 bytes, or the length-delimited payload). */
  bytes: Uint8Array;
  /** A length-delimited field parsed as a message and possibly edited; serialised instead of `bytes`. */
  msg?: Field[];
}

// Field numbers of onnx.proto (onnx/onnx, stable since IR version 3).
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const GRAPH_INPUT = 11;
const GRAPH_OUTPUT = 12;
const GRAPH_VALUE_INFO = 13;
const NODE_OUTPUT = 2;
const NODE_OP_TYPE = 4;
const NODE_ATTRIBUTE = 5;
const ATTRIBUTE_T = 5;
const TENSOR_INT64_DATA = 7;
const TENSOR_NAME = 8;
const TENSOR_RAW_DATA = 9;
const VALUE_INFO_NAME = 1;
const VALUE_INFO_TYPE = 2;
const TYPE_TENSOR = 1;
const TENSOR_TYPE_SHAPE = 2;
const SHAPE_DIM = 1;
const DIM_VALUE = 1;
const DIM_PARAM = 2;

function readVarint(buf: Uint8Array, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (pos >= buf.length) throw new Error('ONNX model truncated inside a varint');
    const byte = buf[pos++]!;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, pos];
    shift += 7n;
  }
}

function varint(value: bigint): Uint8Array {
  const out: number[] = [];
  let v = BigInt.asUintN(64, value);
  do {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v ? byte | 0x80 : byte);
  } while (v);
  return Uint8Array.from(out);
}

function parse(buf: Uint8Array): Field[] {
  const fields: Field[] = [];
  for (let pos = 0; pos < buf.length; ) {
    const [tag, afterTag] = readVarint(buf, pos);
    const no = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    let end: number;
    let start = afterTag;
    if (wire === 0) end = readVarint(buf, afterTag)[1];
    else if (wire === 1) end = afterTag + 8;
    else if (wire === 5) end = afterTag + 4;
    else if (wire === 2) {
      const [length, afterLength] = readVarint(buf, afterTag);
      start = afterLength;
      end = afterLength + Number(length);
    } else throw new Error(`unsupported protobuf wire type ${wire} in the ONNX model`);
    if (end > buf.length) throw new Error('ONNX model truncated');
    fields.push({ no, wire, bytes: buf.subarray(start, end) });
    pos = end;
  }
  return fields;
}

function serialize(fields: Field[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const f of fields) {
    parts.push(varint(BigInt((f.no << 3) | f.wire)));
    const body = f.msg ? serialize(f.msg) : f.bytes;
    if (f.wire === 2) parts.push(varint(BigInt(body.length)));
    parts.push(body);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const messageOf = (f: Field): Field[] => (f.msg ??= parse(f.bytes));
const children = (msg: Field[], no: number) => msg.filter((f) => f.no === no && f.wire === 2);
const text = (f: Field | undefined) => (f ? new TextDecoder().decode(f.bytes) : undefined);
const encode = (s: string) => new TextEncoder().encode(s);

/** One dimension: a size, a symbolic name (any size), or null (unknown). */
export type Dim = number | string | null;

export class OnnxModelPatch {
  private readonly model: Field[];
  private readonly graph: Field[];

  constructor(bytes: Uint8Array) {
    this.model = parse(bytes);
    const graph = children(this.model, MODEL_GRAPH)[0];
    if (!graph) throw new Error('not an ONNX model: no graph');
    this.graph = messageOf(graph);
  }

  names(kind: 'input' | 'output'): string[] {
    return children(this.graph, kind === 'input' ? GRAPH_INPUT : GRAPH_OUTPUT).map((f) => text(children(messageOf(f), VALUE_INFO_NAME)[0]) ?? '');
  }

  /** The declared shape of a graph input or output. */
  shapeOf(kind: 'input' | 'output', name: string): Dim[] {
    const [shape] = this.shapeFields(kind, name);
    return children(messageOf(shape!), SHAPE_DIM).map((d) => {
      const dim = messageOf(d);
      const value = dim.find((f) => f.no === DIM_VALUE && f.wire === 0);
      const param = dim.find((f) => f.no === DIM_PARAM && f.wire === 2);
      return value ? Number(readVarint(value.bytes, 0)[0]) : param ? text(param)! : null;
    });
  }

  /** Replaces the declared shape of a graph input or output (and of any value_info of the same name). */
  setShape(kind: 'input' | 'output', name: string, dims: readonly Dim[]): this {
    for (const shape of this.shapeFields(kind, name)) shape.msg = dims.map((d) => ({
      no: SHAPE_DIM,
      wire: 2,
      bytes: new Uint8Array(),
      msg: d === null ? [] : typeof d === 'number' ? [{ no: DIM_VALUE, wire: 0, bytes: varint(BigInt(d)) }] : [{ no: DIM_PARAM, wire: 2, bytes: encode(d) }],
    }));
    return this;
  }

  private shapeFields(kind: 'input' | 'output', name: string): Field[] {
    const infos = [...children(this.graph, kind === 'input' ? GRAPH_INPUT : GRAPH_OUTPUT), ...children(this.graph, GRAPH_VALUE_INFO)].filter(
      (f) => text(children(messageOf(f), VALUE_INFO_NAME)[0]) === name,
    );
    if (!infos.length) throw new Error(`the model has no graph ${kind} "${name}"`);
    return infos.map((info) => {
      const type = children(messageOf(info), VALUE_INFO_TYPE)[0];
      const tensor = type && children(messageOf(type), TYPE_TENSOR)[0];
      const shape = tensor && children(messageOf(tensor), TENSOR_TYPE_SHAPE)[0];
      if (!shape) throw new Error(`graph ${kind} "${name}" declares no tensor shape`);
      return shape;
    });
  }

  /**
   * The int64 values of the constant tensor named `output`, rewritten (same count): a Constant
   * node's output, or a graph initializer (where exporters fold constants to).
   */
  setConstantInt64(output: string, values: readonly bigint[]): this {
    const node = children(this.graph, GRAPH_NODE).find((f) => {
      const msg = messageOf(f);
      return text(children(msg, NODE_OP_TYPE)[0]) === 'Constant' && children(msg, NODE_OUTPUT).some((o) => text(o) === output);
    });
    let tensorField: Field | undefined;
    if (node) {
      const attribute = children(messageOf(node), NODE_ATTRIBUTE)[0];
      tensorField = attribute && children(messageOf(attribute), ATTRIBUTE_T)[0];
      if (!tensorField) throw new Error(`Constant "${output}" holds no tensor`);
    } else {
      tensorField = children(this.graph, GRAPH_INITIALIZER).find((f) => text(children(messageOf(f), TENSOR_NAME)[0]) === output);
      if (!tensorField) throw new Error(`the model has no Constant or initializer "${output}"`);
    }
    const tensor = messageOf(tensorField);
    const raw = children(tensor, TENSOR_RAW_DATA)[0];
    if (raw) {
      if (raw.bytes.length !== values.length * 8) throw new Error(`Constant "${output}" holds ${raw.bytes.length / 8} values, not ${values.length}`);
      const out = new Uint8Array(values.length * 8);
      const view = new DataView(out.buffer);
      values.forEach((v, i) => view.setBigInt64(i * 8, v, true));
      raw.bytes = out;
      return this;
    }
    const packed = tensor.find((f) => f.no === TENSOR_INT64_DATA);
    if (!packed) throw new Error(`Constant "${output}" holds neither raw_data nor int64_data`);
    tensor.splice(tensor.indexOf(packed), tensor.filter((f) => f.no === TENSOR_INT64_DATA).length, { no: TENSOR_INT64_DATA, wire: 2, bytes: Uint8Array.from(values.flatMap((v) => [...varint(v)])) });
    for (let i = tensor.length - 1; i >= 0; i--) if (tensor[i]!.no === TENSOR_INT64_DATA && tensor[i]!.wire === 0) tensor.splice(i, 1);
    return this;
  }

  /** Graph inputs feeding a node of `opType` (its second input, e.g. a Reshape's shape). */
  secondInputsOf(opType: string): string[] {
    return children(this.graph, GRAPH_NODE).flatMap((f) => {
      const msg = messageOf(f);
      if (text(children(msg, NODE_OP_TYPE)[0]) !== opType) return [];
      const inputs = children(msg, 1).map(text);
      return inputs[1] ? [inputs[1]] : [];
    });
  }

  /** Drops the graph's value_info: optional shape hints of inner tensors, stale once an input's size is open. */
  dropValueInfo(): this {
    for (let i = this.graph.length - 1; i >= 0; i--) if (this.graph[i]!.no === GRAPH_VALUE_INFO) this.graph.splice(i, 1);
    return this;
  }

  bytes(): Uint8Array {
    return serialize(this.model);
  }
}
