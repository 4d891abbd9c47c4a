/**
 * What ffprobe would say about an MP4/MOV video, read from the movie box in-process: on a small
 * machine ffprobe's start-up alone (215 shared libraries) is 80 ms of every session. Only the
 * common case is described here (a progressive movie with a sample table and a codec phones
 * record in); anything else is `other` and goes to ffprobe. The header cannot be trusted to
 * describe the bitstream, so the decoder is bounded on its own as well (`-max_pixels`).
 */
import { open } from 'node:fs/promises';
import { childBox, childBoxes, readBody, walkTopLevelBoxes, type ChildBox } from './boxes.js';
import type { VideoProbe } from './video-probe.js';

/** Sample-entry codes of the codecs we decode, as ffprobe names them. */
const CODECS: Readonly<Record<string, string>> = { avc1: 'h264', avc3: 'h264', hvc1: 'hevc', hev1: 'hevc', vp09: 'vp9', av01: 'av1' };
/** A movie box larger than this (hours of samples) is left to ffprobe. */
const MAX_MOOV_BYTES = 32 * 1024 * 1024;

export type MovieHeader =
  /** Not a whole MP4/MOV: truncated, no movie box, too many boxes. */
  | { kind: 'unreadable'; reason: string }
  /** The common case, described in full. */
  | { kind: 'plain'; probe: VideoProbe }
  /** A movie that only ffprobe can describe (fragmented, edit lists that cut, other codecs), with its video tracks when counted. */
  | { kind: 'other'; videoTracks?: number };

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
  const degrees = Math.round((Math.atan2(tkhd.readInt32BE(matrixAt + 4) / 65536, tkhd.readInt32BE(matrixAt) / 65536) * 180) / Math.PI);
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
    if ((wide ? Number(elst.readBigInt64BE(at)) : elst.readInt32BE(at)) !== -1) played++;
  }
  return played <= 1;
}

const isVideoTrack = (trak: ChildBox) => {
  const hdlr = childBox(childBox(trak, 'mdia'), 'hdlr');
  return hdlr !== undefined && hdlr.body.length >= 12 && hdlr.body.toString('latin1', 8, 12) === 'vide';
};

/** The description of the one video track of a movie box, when it is the plain case. */
function describeTrack(moov: ChildBox, trak: ChildBox): Omit<VideoProbe, 'videoStreams'> | undefined {
  const movieTiming = ((mvhd) => mvhd && timing(mvhd.body))(childBox(moov, 'mvhd'));
  const mdia = childBox(trak, 'mdia');
  const tkhd = childBox(trak, 'tkhd');
  const mdhd = childBox(mdia, 'mdhd');
  const stbl = childBox(childBox(mdia, 'minf'), 'stbl');
  const [stsd, stsz, stts] = ['stsd', 'stsz', 'stts'].map((type) => childBox(stbl, type));
  const media = mdhd && timing(mdhd.body);
  const turned = tkhd && quarterTurned(tkhd.body);
  const elst = childBox(childBox(trak, 'edts'), 'elst');
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

/** A movie box's description: its video tracks counted, the plain case read in full. */
export function describeMovie(moovBody: Buffer): Exclude<MovieHeader, { kind: 'unreadable' }> {
  const moov: ChildBox = { type: 'moov', body: moovBody };
  const videoTracks = childBoxes(moovBody).filter((b) => b.type === 'trak' && isVideoTrack(b));
  if (videoTracks.length !== 1) return { kind: 'other', videoTracks: videoTracks.length };
  const probe = describeTrack(moov, videoTracks[0]!);
  return probe ? { kind: 'plain', probe: { ...probe, videoStreams: 1 } } : { kind: 'other', videoTracks: 1 };
}

/** An MP4/MOV file's header: its boxes walked once (they must tile the file), its movie box described. */
export async function readMovieHeader(file: string): Promise<MovieHeader> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const walk = await walkTopLevelBoxes(handle, size);
    if (!walk.ok) return { kind: 'unreadable', reason: walk.reason };
    const moov = walk.boxes.find((b) => b.type === 'moov');
    if (!moov) return { kind: 'unreadable', reason: 'no moov box' };
    // Too large to read here: ffprobe counts its tracks.
    if (moov.size > MAX_MOOV_BYTES) return { kind: 'other' };
    return describeMovie(await readBody(handle, moov));
  } finally {
    await handle.close();
  }
}
