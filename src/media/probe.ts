import { execFile } from 'node:child_process';
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';
import { MediaRejectedError } from './errors.js';
import { readMp4VideoHeader } from './mp4-header.js';
import { VIDEO_DEMUXERS, sniffMediaType } from './sniff.js';

const execFileAsync = promisify(execFile);

/** Where the decoder binaries are and how long one may run; from `config.media`. */
export interface DecoderSettings {
  ffmpegPath: string;
  ffprobePath: string;
  timeoutMs: number;
  /** PATH of the decoder processes, the one variable they inherit. */
  searchPath: string;
}

/** Codecs phones record selfies in; anything else is refused before a decoder is started. */
export const VIDEO_CODECS: ReadonlySet<string> = new Set(['h264', 'hevc', 'vp8', 'vp9', 'av1', 'mpeg4']);

/**
 * The environment of every decoder process: PATH only. ffmpeg parses hostile bytes, so it gets
 * no database URL, no cloud credentials, no secrets of ours to leak through a decoder bug.
 */
export function decoderEnv(decoder: Pick<DecoderSettings, 'searchPath'>): NodeJS.ProcessEnv {
  return { PATH: decoder.searchPath };
}

/** The input options every ffmpeg and ffprobe run gets: the container forced, local files only. */
export async function decoderInputOptions(videoPath: string): Promise<string[]> {
  const head = Buffer.alloc(16);
  const handle = await open(videoPath, 'r');
  try {
    await handle.read(head, 0, 16, 0);
  } finally {
    await handle.close();
  }
  const demuxer = VIDEO_DEMUXERS[sniffMediaType(head) ?? ''];
  if (!demuxer) throw new MediaRejectedError('UNREADABLE_VIDEO', 'the file is not an MP4, MOV or WebM video');
  return ['-f', demuxer, '-protocol_whitelist', 'file'];
}

export interface VideoProbe {
  /**
   * The longer of the declared duration and the one the stream's packets add up to: a patched
   * movie header can claim three seconds for an hour of video, the packets can't.
   */
  durationMs: number;
  codec: string;
  /** Average frames per second as the container states it; 0 when unknown. */
  frameRate: number;
  /** Frames of the video stream, counted from its packets by demuxing the file (no decoding). */
  frameCount: number;
  /** Displayed size, after the rotation metadata is applied. */
  width: number;
  height: number;
}

interface ProbeJson {
  streams?: {
    codec_type?: string;
    codec_name?: string;
    width?: number;
    height?: number;
    duration?: string;
    avg_frame_rate?: string;
    nb_read_packets?: string;
    tags?: { rotate?: string };
    side_data_list?: { rotation?: number | string }[];
  }[];
  format?: { duration?: string };
}

/**
 * Duration, codec and displayed size of the first video stream. ffprobe's JSON is read directly:
 * it carries the display matrix (phone rotation), which fluent-ffmpeg's parser drops.
 */
export async function probeVideo(videoPath: string, decoder: Omit<DecoderSettings, 'ffmpegPath'>): Promise<VideoProbe> {
  let data: ProbeJson;
  const guard = await decoderInputOptions(videoPath);
  try {
    const { stdout } = await execFileAsync(
      decoder.ffprobePath,
      ['-v', 'error', ...guard, '-count_packets', '-select_streams', 'v:0', '-print_format', 'json', '-show_format', '-show_streams', videoPath],
      { timeout: decoder.timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024, env: decoderEnv(decoder) },
    );
    data = JSON.parse(stdout) as ProbeJson;
  } catch (err) {
    const e = err as Error & { killed?: boolean; stderr?: string; code?: string };
    // Probing reads headers and packets, never pixels: past the timeout the file is built to
    // stall it, and three attempts would only triple the cost. A rejection, not a retry.
    if (e.killed) throw new MediaRejectedError('DECODE_TIMEOUT', `reading the video took longer than ${decoder.timeoutMs} ms`);
    if (e.code === 'ENOENT') throw new Error(`ffprobe not found at "${decoder.ffprobePath}" (set FFPROBE_PATH)`);
    throw new MediaRejectedError('UNREADABLE_VIDEO', 'the video container could not be read', undefined, lastLines(e.stderr ?? e.message));
  }
  const stream = data.streams?.find((s) => s.codec_type === 'video');
  if (!stream?.width || !stream.height) throw new MediaRejectedError('UNREADABLE_VIDEO', 'the file has no video stream');
  const seconds = Number(data.format?.duration ?? stream.duration);
  const rotation = Number(stream.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? stream.tags?.rotate ?? 0) || 0;
  const quarterTurn = Math.abs(rotation) % 180 === 90;
  const [num, den] = (stream.avg_frame_rate ?? '0/1').split('/').map(Number);
  const frameRate = num && den ? num / den : 0;
  const frameCount = Number(stream.nb_read_packets) || 0;
  const declaredMs = Number.isFinite(seconds) ? Math.round(seconds * 1000) : 0;
  const countedMs = frameRate > 0 ? Math.round((frameCount * 1000) / frameRate) : 0;
  return {
    durationMs: Math.max(declaredMs, countedMs),
    codec: stream.codec_name ?? 'unknown',
    frameRate,
    frameCount,
    width: quarterTurn ? stream.height : stream.width,
    height: quarterTurn ? stream.width : stream.height,
  };
}

/**
 * The probe of a video as cheaply as it can be had: MP4 and MOV from their movie box in-process
 * (mp4-header.ts), anything else, or anything unusual in them, from ffprobe.
 */
export async function readVideoHeader(videoPath: string, decoder: Omit<DecoderSettings, 'ffmpegPath'>): Promise<VideoProbe> {
  const [, demuxer] = await decoderInputOptions(videoPath);
  if (demuxer === 'mov') {
    const header = await readMp4VideoHeader(videoPath);
    if (header) return header;
  }
  return probeVideo(videoPath, decoder);
}

/** Bounds on what a video may declare, checked before a single frame is decoded. */
export interface VideoLimits {
  maxDurationMs: number;
  /** Largest frame (width x height) decoded at all. */
  maxPixels: number;
  maxFrameRate: number;
  /** Most frames the stream may hold (declared, and counted while decoding). */
  maxFrameCount: number;
}

/** Refuses a video whose header declares something we won't decode: the decompression-bomb guard. */
export function assertDecodable(probe: VideoProbe, limits: VideoLimits): void {
  if (probe.durationMs > limits.maxDurationMs) {
    throw new MediaRejectedError('VIDEO_TOO_LONG', `video lasts ${probe.durationMs} ms; the limit is ${limits.maxDurationMs} ms`);
  }
  if (!VIDEO_CODECS.has(probe.codec)) {
    throw new MediaRejectedError('UNREADABLE_VIDEO', `video codec ${probe.codec} is not supported (H.264, HEVC, VP8, VP9, AV1, MPEG-4)`);
  }
  if (probe.width * probe.height > limits.maxPixels || probe.frameRate > limits.maxFrameRate || probe.frameCount > limits.maxFrameCount) {
    throw new MediaRejectedError(
      'VIDEO_TOO_LARGE',
      `video is ${probe.width}x${probe.height} at ${Math.round(probe.frameRate)} fps with ${probe.frameCount} frames; the limits are ${limits.maxPixels} pixels, ${limits.maxFrameRate} fps and ${limits.maxFrameCount} frames`,
    );
  }
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-2).join(' ');
}
