import { execFile } from 'node:child_process';
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';
import { Writable } from 'node:stream';
import ffmpeg from 'fluent-ffmpeg';
import { VIDEO_DEMUXERS, sniffMediaType } from '../media/sniff.js';
import { MediaRejectedError } from './errors.js';
import type { RgbImage } from './types.js';

const execFileAsync = promisify(execFile);

export interface FrameSampling {
  /** Frames per second of video taken, spread evenly by ffmpeg's fps filter. */
  sampleFps: number;
  maxFrames: number;
  /** Longest edge of a sampled frame; ffmpeg scales down, never up. */
  maxEdge: number;
  /** Longer videos are rejected before any frame is decoded. */
  maxDurationMs: number;
  ffmpegTimeoutMs: number;
  ffmpegThreads: number;
  /** Largest frame (width x height) decoded at all: a bigger stream is refused before decoding. */
  maxPixels: number;
  maxFrameRate: number;
}

/** Codecs phones record selfies in; anything else is refused before a decoder is started. */
export const VIDEO_CODECS: ReadonlySet<string> = new Set(['h264', 'hevc', 'vp8', 'vp9', 'av1', 'mpeg4']);

/** The input options every ffmpeg and ffprobe run gets: the container forced, local files only. */
async function inputGuard(videoPath: string): Promise<string[]> {
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
  durationMs: number;
  codec: string;
  /** Average frames per second as the container states it; 0 when unknown. */
  frameRate: number;
  /** Displayed size, after the rotation metadata is applied. */
  width: number;
  height: number;
}

export interface VideoFrame {
  image: RgbImage;
  timestampMs: number;
}

interface ProbeJson {
  streams?: {
    codec_type?: string;
    codec_name?: string;
    width?: number;
    height?: number;
    duration?: string;
    avg_frame_rate?: string;
    tags?: { rotate?: string };
    side_data_list?: { rotation?: number | string }[];
  }[];
  format?: { duration?: string };
}

/**
 * Duration, codec and displayed size of the first video stream. ffprobe's JSON is read directly:
 * it carries the display matrix (phone rotation), which fluent-ffmpeg's parser drops.
 */
export async function probeVideo(videoPath: string, timeoutMs: number): Promise<VideoProbe> {
  let data: ProbeJson;
  const guard = await inputGuard(videoPath);
  try {
    const { stdout } = await execFileAsync(
      process.env.FFPROBE_PATH ?? 'ffprobe',
      ['-v', 'error', ...guard, '-print_format', 'json', '-show_format', '-show_streams', videoPath],
      // No secrets for a process that parses hostile bytes: PATH only.
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } },
    );
    data = JSON.parse(stdout) as ProbeJson;
  } catch (err) {
    const e = err as Error & { killed?: boolean; stderr?: string };
    // A timeout says more about the machine than the file: a plain error, left to the retry policy.
    if (e.killed) throw new Error(`ffprobe timed out after ${timeoutMs} ms`);
    throw new MediaRejectedError('UNREADABLE_VIDEO', 'the video container could not be read', undefined, lastLines(e.stderr ?? e.message));
  }
  const stream = data.streams?.find((s) => s.codec_type === 'video');
  if (!stream?.width || !stream.height) throw new MediaRejectedError('UNREADABLE_VIDEO', 'the file has no video stream');
  const seconds = Number(data.format?.duration ?? stream.duration);
  const rotation = Number(stream.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? stream.tags?.rotate ?? 0) || 0;
  const quarterTurn = Math.abs(rotation) % 180 === 90;
  const [num, den] = (stream.avg_frame_rate ?? '0/1').split('/').map(Number);
  return {
    durationMs: Number.isFinite(seconds) ? Math.round(seconds * 1000) : 0,
    codec: stream.codec_name ?? 'unknown',
    frameRate: num && den ? num / den : 0,
    width: quarterTurn ? stream.height : stream.width,
    height: quarterTurn ? stream.width : stream.height,
  };
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-2).join(' ');
}

/** Output size: the displayed size scaled to fit `maxEdge` (never up), even for the encoder's sake. */
export function sampledSize(width: number, height: number, maxEdge: number): { width: number; height: number } {
  const scale = Math.min(1, maxEdge / Math.max(width, height));
  const even = (v: number) => Math.max(2, 2 * Math.round((v * scale) / 2));
  return { width: even(width), height: even(height) };
}

/**
 * Samples frames with ffmpeg and yields them as raw RGB while ffmpeg keeps decoding: the fps
 * filter picks the frames (no full-rate decode downstream), ffmpeg applies the rotation metadata
 * and scales, and no frame touches the disk. ffmpeg is killed on timeout, on `signal`, and when
 * the consumer stops early.
 */
export async function* streamFrames(videoPath: string, sampling: FrameSampling, signal?: AbortSignal): AsyncGenerator<VideoFrame> {
  signal?.throwIfAborted();
  const probe = await probeVideo(videoPath, sampling.ffmpegTimeoutMs);
  if (probe.durationMs > sampling.maxDurationMs) {
    throw new MediaRejectedError('VIDEO_TOO_LONG', `video lasts ${probe.durationMs} ms; the limit is ${sampling.maxDurationMs} ms`);
  }
  if (!VIDEO_CODECS.has(probe.codec)) {
    throw new MediaRejectedError('UNREADABLE_VIDEO', `video codec ${probe.codec} is not supported (H.264, HEVC, VP8, VP9, AV1, MPEG-4)`);
  }
  // Decompression bombs: a tiny file can declare an enormous frame or frame rate.
  if (probe.width * probe.height > sampling.maxPixels || probe.frameRate > sampling.maxFrameRate) {
    throw new MediaRejectedError(
      'VIDEO_TOO_LARGE',
      `video is ${probe.width}x${probe.height} at ${Math.round(probe.frameRate)} fps; the limits are ${sampling.maxPixels} pixels and ${sampling.maxFrameRate} fps`,
    );
  }
  const guard = await inputGuard(videoPath);
  const { width, height } = sampledSize(probe.width, probe.height, sampling.maxEdge);
  const frameBytes = width * height * 3;

  const queue: Buffer[] = [];
  let pending: Buffer = Buffer.alloc(0);
  let finished = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };

  const command = ffmpeg(videoPath)
    // ffmpeg decodes while the models run; on its own cores it would only steal theirs.
    .inputOptions(['-threads', String(sampling.ffmpegThreads), ...guard])
    .noAudio()
    .outputOptions(['-vf', `fps=${sampling.sampleFps},scale=${width}:${height}:flags=area`, '-frames:v', String(sampling.maxFrames)])
    .format('rawvideo')
    .outputOptions(['-pix_fmt', 'rgb24']);
  const fail = (err: Error) => {
    failure ??= err;
    command.kill('SIGKILL');
    notify();
  };
  const timer = setTimeout(() => fail(new Error(`ffmpeg timed out after ${sampling.ffmpegTimeoutMs} ms`)), sampling.ffmpegTimeoutMs);
  const onAbort = () => fail(signal?.reason instanceof Error ? signal.reason : new Error('frame sampling cancelled'));
  signal?.addEventListener('abort', onAbort, { once: true });

  command.on('error', (err: Error, _stdout: unknown, stderr: string | null) => {
    if (failure) return;
    const detail = (stderr ?? '').trim().split('\n').slice(-2).join(' ');
    fail(new MediaRejectedError('UNREADABLE_VIDEO', 'the video could not be decoded', undefined, detail || err.message));
  });
  // Done only when ffmpeg exited cleanly AND its stdout has delivered every byte: the process's
  // exit can be reported before the pipe is drained.
  let exited = false;
  let drained = false;
  const settle = () => {
    finished = exited && drained;
    if (finished) notify();
  };
  command.on('end', () => {
    exited = true;
    settle();
  });
  // Read eagerly so ffmpeg never stalls on a full pipe while a frame is being analysed; memory is
  // bounded by maxFrames frames of at most maxEdge².
  // Our own sink rather than fluent-ffmpeg's stream: when its output stream emits 'close',
  // fluent-ffmpeg gives ffmpeg 20 ms to exit before failing with "Output stream closed", which
  // under load rejects good videos. A sink that never emits 'close' leaves the verdict to
  // ffmpeg's exit status; `final` tells us every byte has arrived.
  const sink = new Writable({
    emitClose: false,
    write(chunk: Buffer, _encoding, callback) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= frameBytes) {
        queue.push(pending.subarray(0, frameBytes));
        pending = pending.subarray(frameBytes);
      }
      if (queue.length > 0) notify();
      callback();
    },
    final(callback) {
      drained = true;
      settle();
      callback();
    },
  });
  // Read eagerly so ffmpeg never stalls on a full pipe while a frame is being analysed; memory is
  // bounded by maxFrames frames of at most maxEdge².
  command.pipe(sink, { end: true });

  try {
    for (let index = 0; ; index++) {
      while (queue.length === 0 && !finished && !failure) await new Promise<void>((resolve) => (wake = resolve));
      if (failure) throw failure;
      const frame = queue.shift();
      if (!frame) {
        if (index === 0) throw new MediaRejectedError('UNREADABLE_VIDEO', 'video has no decodable frames');
        break;
      }
      yield {
        image: { width, height, data: new Uint8Array(frame.buffer, frame.byteOffset, frame.length) },
        timestampMs: Math.round((index * 1000) / sampling.sampleFps),
      };
    }
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    if (!finished) command.kill('SIGKILL');
  }
}
