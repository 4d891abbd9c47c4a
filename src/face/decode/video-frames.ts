import { Writable } from 'node:stream';
import ffmpeg, { type FfmpegCommand } from 'fluent-ffmpeg';
import { decoderLaunch, demuxerOptions, type DecoderLaunch, type DecoderSettings } from '../../media/decoder-process.js';
import { MediaRejectedError } from '../../media/errors.js';
import { readVideoHeader } from '../../media/video-header.js';
import { assertDecodable, type VideoLimits } from '../../media/video-probe.js';
import type { RgbImage } from '../types.js';

export interface FrameSampling extends VideoLimits {
  /** Frames per second of video taken, spread evenly by ffmpeg's fps filter. */
  sampleFps: number;
  maxFrames: number;
  /** Longest edge of a sampled frame; ffmpeg scales down, never up. */
  maxEdge: number;
  ffmpegThreads: number;
}

export interface VideoFrame {
  image: RgbImage;
  timestampMs: number;
  /** The video's own (displayed) size: frames are scaled down from it to fit `maxEdge`. */
  native: { width: number; height: number };
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
export async function* streamFrames(
  videoPath: string,
  sampling: FrameSampling,
  decoder: DecoderSettings,
  signal?: AbortSignal,
  onLaunch?: (launch: DecoderLaunch) => void,
): AsyncGenerator<VideoFrame> {
  signal?.throwIfAborted();
  // The header is read once: its checks and the demuxer ffmpeg is told to use come from the same read.
  const { probe, demuxer } = await readVideoHeader(videoPath, decoder, { maxPixels: sampling.maxPixels });
  assertDecodable(probe, sampling);
  const { width, height } = sampledSize(probe.width, probe.height, sampling.maxEdge);
  const frameBytes = width * height * 3;

  const queue: Buffer[] = [];
  // The frame being filled: pipe chunks (64 kB) are copied in once, not concatenated per chunk.
  let filling = Buffer.allocUnsafe(frameBytes);
  let filled = 0;
  let finished = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };

  const command = launchedAs(ffmpeg(videoPath), decoder, videoPath, onLaunch)
    // ffmpeg decodes while the models run; on its own cores it would only steal theirs.
    // -max_pixels: a header may understate the frame size; the decoder refuses frames past VIDEO_MAX_PIXELS whatever it says.
    .inputOptions(['-threads', String(sampling.ffmpegThreads), '-max_pixels', String(sampling.maxPixels), ...demuxerOptions(demuxer)])
    .noAudio()
    // The one video stream whose header was checked, explicitly: never one ffmpeg picks by itself.
    .outputOptions(['-map', '0:v:0', '-vf', `fps=${sampling.sampleFps},scale=${width}:${height}:flags=area`, '-frames:v', String(sampling.maxFrames)])
    .format('rawvideo')
    .outputOptions(['-pix_fmt', 'rgb24']);
  const fail = (err: Error) => {
    failure ??= err;
    command.kill('SIGKILL');
    notify();
  };
  // Input is bounded (pixels, frame rate, frame count, at most maxFrames decoded at maxEdge): a
  // decode past the timeout is a file built to stall ffmpeg, and retrying it triples the cost.
  const timer = setTimeout(
    () => fail(new MediaRejectedError('DECODE_TIMEOUT', `decoding the video took longer than ${decoder.timeoutMs} ms`)),
    decoder.timeoutMs,
  );
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
  // Our own sink rather than fluent-ffmpeg's stream: when its output stream emits 'close',
  // fluent-ffmpeg gives ffmpeg 20 ms to exit before failing with "Output stream closed", which
  // under load rejects good videos. A sink that never emits 'close' leaves the verdict to
  // ffmpeg's exit status; `final` tells us every byte has arrived.
  const sink = new Writable({
    emitClose: false,
    write(chunk: Buffer, _encoding, callback) {
      for (let offset = 0; offset < chunk.length; ) {
        const n = Math.min(frameBytes - filled, chunk.length - offset);
        chunk.copy(filling, filled, offset, offset + n);
        filled += n;
        offset += n;
        if (filled === frameBytes) {
          queue.push(filling);
          filling = Buffer.allocUnsafe(frameBytes);
          filled = 0;
        }
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
        native: { width: probe.width, height: probe.height },
      };
    }
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    if (!finished) command.kill('SIGKILL');
  }
}

/**
 * fluent-ffmpeg spawns with fixed options, no `env`, and a process-wide ffmpeg path: this
 * command's spawn gets the decoder's launch instead (decoder-process.ts): its environment (PATH
 * only) and, where configured, the sandbox around ffmpeg.
 */
function launchedAs(command: FfmpegCommand, decoder: DecoderSettings, inputFile: string, onLaunch?: (launch: DecoderLaunch) => void): FfmpegCommand {
  type Spawn = (args: string[], options: object, ...callbacks: unknown[]) => void;
  const target = command as unknown as { _spawnFfmpeg: Spawn; _getFfmpegPath: (callback: (err: null, path: string) => void) => void };
  const spawn = target._spawnFfmpeg.bind(command);
  target._spawnFfmpeg = (args, options, ...callbacks) => {
    const launch = decoderLaunch(decoder, decoder.ffmpegPath, args, inputFile);
    target._getFfmpegPath = (callback) => callback(null, launch.command);
    onLaunch?.(launch);
    spawn(launch.args, { ...options, env: launch.env }, ...callbacks);
  };
  return command;
}
