/**
 * What ffprobe would say about an MP4/MOV video stream, read from the movie box in-process: on
 * a small machine ffprobe's start-up alone (215 shared libraries) is 80 ms of every session.
 * Only the common case is read here (one progressive movie with a sample table, a codec phones
 * record in); anything else answers undefined and goes to ffprobe. The header cannot be trusted
 * to describe the bitstream, so the decoder is bounded on its own as well (`-max_pixels`).
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { VideoProbe } from './probe.js';

/** Sample-entry codes of the codecs we decode, as ffprobe names them. */
const CODECS: Readonly<Record<string, string>> = { avc1: 'h264', avc3: 'h264', hvc1: 'hevc', hev1: 'hevc', vp09: 'vp9', av01: 'av1' };
/** A movie box larger than this (hours of samples) is left to ffprobe. */
const MAX_MOOV_BYTES = 32 * 1024 * 1024;
const MAX_BOXES = 4096;

interface Box {
  type: string;
  /** Body, after the header. */
  body: Buffer;
}

/** The child boxes of a box body (or of a whole buffer). */
function children(buffer: Buffer): Box[] {
  const boxes: Box[] = [];
  let position = 0;
  while (position + 8 <= buffer.length && boxes.length < MAX_BOXES) {
    let size = buffer.readUInt32BE(position);
    let header = 8;
    if (size === 1) {
      if (position + 16 > buffer.length) break;
      size = Number(buffer.readBigUInt64BE(position + 8));
      header = 16;
    } else if (size === 0) {
      size = buffer.length - position;
    }
    if (size < header || position + size > buffer.length) break;
    boxes.push({ type: buffer.toString('latin1', position + 4, position + 8), body: buffer.subarray(position + header, position + size) });
    position += size;
  }
  return boxes;
}

const child = (box: Box | undefined, type: string) => (box ? children(box.body).find((b) => b.type === type) : undefined);

/** The movie box's bytes, found by walking the top-level boxes. */
async function readMoov(handle: FileHandle, size: number): Promise<Buffer | undefined> {
  let position = 0;
  const header = Buffer.alloc(16);
  for (let boxes = 0; position + 8 <= size && boxes < MAX_BOXES; boxes++) {
    const { bytesRead } = await handle.read(header, 0, 16, position);
    if (bytesRead < 8) return undefined;
    let boxSize = header.readUInt32BE(0);
    let headerSize = 8;
    if (boxSize === 1) {
      if (bytesRead < 16) return undefined;
      boxSize = Number(header.readBigUInt64BE(8));
      headerSize = 16;
    } else if (boxSize === 0) {
      boxSize = size - position;
    }
    if (boxSize < headerSize || position + boxSize > size) return undefined;
    if (header.toString('latin1', 4, 8) === 'moov') {
      if (boxSize > MAX_MOOV_BYTES) return undefined;
      const moov = Buffer.alloc(boxSize - headerSize);
      const read = await handle.read(moov, 0, moov.length, position + headerSize);
      return read.bytesRead === moov.length ? moov : undefined;
    }
    position += boxSize;
  }
  return undefined;
}

/** Timescale and duration of a movie (mvhd) or media (mdhd) header. */
function timing(body: Buffer): { timescale: number; duration: number } | undefined {
  const version = body[0];
  if (version === 1 && body.length >= 32) return { timescale: body.readUInt32BE(20), duration: Number(body.readBigUInt64BE(24)) };
  if (version === 0 && body.length >= 20) return { timescale: body.readUInt32BE(12), duration: body.readUInt32BE(16) };
  return undefined;
}

/** Whether the track header's matrix turns the picture by a quarter turn (phones filming upright). */
function quarterTurned(tkhd: Buffer): boolean | undefined {
  const matrixAt = tkhd[0] === 1 ? 52 : 40;
  if (tkhd.length < matrixAt + 36) return undefined;
  const a = tkhd.readInt32BE(matrixAt) / 65536;
  const b = tkhd.readInt32BE(matrixAt + 4) / 65536;
  const degrees = Math.round((Math.atan2(b, a) * 180) / Math.PI);
  return Math.abs(degrees) % 180 === 90;
}

/**
 * Whether an edit list only delays the start (empty edits) and then plays the media once: what
 * encoders write. Edits that cut or repeat parts of the track are left to ffprobe's reading.
 */
function plainEdits(elst: Buffer): boolean {
  if (elst.length < 8) return false;
  const wide = elst[0] === 1;
  const entry = wide ? 20 : 12;
  const count = elst.readUInt32BE(4);
  if (elst.length < 8 + count * entry) return false;
  let played = 0;
  for (let i = 0; i < count; i++) {
    const at = 8 + i * entry + (wide ? 8 : 4);
    const mediaTime = wide ? Number(elst.readBigInt64BE(at)) : elst.readInt32BE(at);
    if (mediaTime !== -1) played++;
  }
  return played <= 1;
}

/** The first video track's probe, or undefined when this file is not the plain case. */
export function videoHeaderOfMoov(moov: Buffer): VideoProbe | undefined {
  const root: Box = { type: 'moov', body: moov };
  const movie = child(root, 'mvhd');
  const movieTiming = movie && timing(movie.body);
  for (const trak of children(moov).filter((b) => b.type === 'trak')) {
    const mdia = child(trak, 'mdia');
    const hdlr = child(mdia, 'hdlr');
    if (!hdlr || hdlr.body.length < 12 || hdlr.body.toString('latin1', 8, 12) !== 'vide') continue;
    const tkhd = child(trak, 'tkhd');
    const mdhd = child(mdia, 'mdhd');
    const stbl = child(child(mdia, 'minf'), 'stbl');
    const stsd = child(stbl, 'stsd');
    const stsz = child(stbl, 'stsz');
    const stts = child(stbl, 'stts');
    const media = mdhd && timing(mdhd.body);
    const turned = tkhd && quarterTurned(tkhd.body);
    const elst = child(child(trak, 'edts'), 'elst');
    if (elst && !plainEdits(elst.body)) return undefined;
    if (!stsd || !stsz || !stts || !media || media.timescale === 0 || turned === undefined) return undefined;
    // The first sample entry: its code and the coded width and height of a visual entry.
    if (stsd.body.length < 8 + 8 + 28) return undefined;
    const codec = CODECS[stsd.body.toString('latin1', 12, 16)];
    if (!codec) return undefined;
    const codedWidth = stsd.body.readUInt16BE(8 + 8 + 24);
    const codedHeight = stsd.body.readUInt16BE(8 + 8 + 26);
    if (stsz.body.length < 12) return undefined;
    const frameCount = stsz.body.readUInt32BE(8);
    if (frameCount === 0 || codedWidth === 0 || codedHeight === 0) return undefined; // fragmented or empty: ffprobe
    const entries = stts.body.length >= 8 ? stts.body.readUInt32BE(4) : 0;
    if (stts.body.length < 8 + entries * 8) return undefined;
    let ticks = 0;
    for (let i = 0; i < entries; i++) ticks += stts.body.readUInt32BE(8 + i * 8) * stts.body.readUInt32BE(12 + i * 8);
    const countedMs = Math.round((ticks * 1000) / media.timescale);
    const declaredMs = movieTiming && movieTiming.timescale > 0 ? Math.round((movieTiming.duration * 1000) / movieTiming.timescale) : 0;
    const mediaMs = Math.round((media.duration * 1000) / media.timescale);
    return {
      durationMs: Math.max(declaredMs, mediaMs, countedMs),
      codec,
      frameRate: ticks > 0 ? (frameCount * media.timescale) / ticks : 0,
      frameCount,
      width: turned ? codedHeight : codedWidth,
      height: turned ? codedWidth : codedHeight,
    };
  }
  return undefined;
}

/** Reads the probe of an MP4/MOV file from its movie box; undefined sends the caller to ffprobe. */
export async function readMp4VideoHeader(file: string): Promise<VideoProbe | undefined> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const moov = await readMoov(handle, size);
    return moov ? videoHeaderOfMoov(moov) : undefined;
  } finally {
    await handle.close();
  }
}
