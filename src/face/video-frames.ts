import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ffmpeg from 'fluent-ffmpeg';
import { MediaRejectedError } from './errors.js';

export interface FrameSampling {
  /** Frames per second of video taken, spread evenly by ffmpeg's fps filter. */
  sampleFps: number;
  maxFrames: number;
  /** Longest edge of a sampled frame; ffmpeg scales down, never up. */
  maxEdge: number;
  /** Longer videos are rejected before any frame is decoded. */
  maxDurationMs: number;
  ffmpegTimeoutMs: number;
}

export interface VideoProbe {
  durationMs: number;
  codec: string;
  width: number;
  height: number;
}

export interface SampledFrame {
  path: string;
  timestampMs: number;
}

export interface SampledFrames {
  frames: SampledFrame[];
  /** Removes the temporary frame files; call it in `finally`. */
  cleanup(): Promise<void>;
}

/**
 * Samples frames from a video into a temporary folder with ffmpeg. ffmpeg applies rotation
 * metadata itself, decodes only what the fps filter needs and is killed on timeout or abort.
 */
export async function sampleFrames(videoPath: string, sampling: FrameSampling, signal?: AbortSignal): Promise<SampledFrames> {
  signal?.throwIfAborted();
  const probe = await probeVideo(videoPath, sampling.ffmpegTimeoutMs);
  if (probe.durationMs > sampling.maxDurationMs) {
    throw new MediaRejectedError('VIDEO_TOO_LONG', `video lasts ${probe.durationMs} ms; the limit is ${sampling.maxDurationMs} ms`);
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'kyc-frames-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    const edge = sampling.maxEdge;
    const scale = `scale='if(gte(iw,ih),min(iw,${edge}),-2)':'if(gte(iw,ih),-2,min(ih,${edge}))'`;
    await new Promise<void>((resolve, reject) => {
      const command = ffmpeg(videoPath)
        .noAudio()
        .outputOptions(['-vf', `fps=${sampling.sampleFps},${scale}`, '-frames:v', String(sampling.maxFrames)])
        .output(path.join(dir, 'frame-%05d.png'));
      const timer = setTimeout(() => {
        command.kill('SIGKILL');
        reject(new Error(`ffmpeg timed out after ${sampling.ffmpegTimeoutMs} ms`));
      }, sampling.ffmpegTimeoutMs);
      const onAbort = () => {
        command.kill('SIGKILL');
        reject(signal?.reason instanceof Error ? signal.reason : new Error('frame sampling cancelled'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) onAbort();
      const settle = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      command
        .on('end', () => {
          settle();
          resolve();
        })
        .on('error', (err: Error, _stdout: string | null, stderr: string | null) => {
          settle();
          const detail = (stderr ?? '').trim().split('\n').slice(-2).join(' ');
          reject(new MediaRejectedError('UNREADABLE_VIDEO', `video could not be decoded: ${detail || err.message}`));
        })
        .run();
    });
    const names = (await readdir(dir)).filter((n) => n.endsWith('.png')).sort();
    const frames = names.map((name, i) => ({ path: path.join(dir, name), timestampMs: Math.round((i * 1000) / sampling.sampleFps) }));
    if (frames.length === 0) throw new MediaRejectedError('UNREADABLE_VIDEO', 'video has no decodable frames');
    return { frames, cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** Duration, codec and coded size of the first video stream, by ffprobe. */
export async function probeVideo(videoPath: string, timeoutMs: number): Promise<VideoProbe> {
  const data = await new Promise<ffmpeg.FfprobeData>((resolve, reject) => {
    // A timeout says more about the machine than the file: a plain error, left to the retry policy.
    const timer = setTimeout(() => reject(new Error(`ffprobe timed out after ${timeoutMs} ms`)), timeoutMs);
    ffmpeg.ffprobe(videoPath, (err: Error | null, result: ffmpeg.FfprobeData) => {
      clearTimeout(timer);
      if (err) reject(new MediaRejectedError('UNREADABLE_VIDEO', `video could not be read: ${err.message.split('\n').slice(-2).join(' ')}`));
      else resolve(result);
    });
  });
  const stream = data.streams.find((s) => s.codec_type === 'video');
  if (!stream) throw new MediaRejectedError('UNREADABLE_VIDEO', 'the file has no video stream');
  const seconds = Number(data.format.duration ?? stream.duration);
  return {
    durationMs: Number.isFinite(seconds) ? Math.round(seconds * 1000) : 0,
    codec: stream.codec_name ?? 'unknown',
    width: stream.width ?? 0,
    height: stream.height ?? 0,
  };
}
