import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { decoderLaunch, demuxerOptions, type DecoderSettings } from './decoder-process.js';
import { MediaRejectedError } from './errors.js';
import type { VideoProbe } from './video-probe.js';

const execFileAsync = promisify(execFile);

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

/** At most `limit` of these at once; the rest wait their turn (probes are processes: the API's CPU is bounded by this). */
export class ProbeSlots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await work();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}

/**
 * Duration, codec, displayed size and number of video streams, from ffprobe's JSON (it carries the
 * display matrix, which fluent-ffmpeg's parser drops). ffprobe runs with the container forced,
 * local files only, in the decoder sandbox, and with `-max_pixels`: finding a WebM's stream
 * parameters decodes its first frame, which must be bounded like any other decode.
 */
export async function probeVideo(videoPath: string, demuxer: string, decoder: DecoderSettings, maxPixels: number): Promise<VideoProbe> {
  let data: ProbeJson;
  const args = ['-v', 'error', '-max_pixels', String(maxPixels), ...demuxerOptions(demuxer), '-count_packets', '-print_format', 'json', '-show_format', '-show_streams', videoPath];
  const launch = decoderLaunch(decoder, decoder.ffprobePath, args, videoPath);
  try {
    const { stdout } = await execFileAsync(launch.command, launch.args, { timeout: decoder.timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024, env: launch.env });
    data = JSON.parse(stdout) as ProbeJson;
  } catch (err) {
    const e = err as Error & { killed?: boolean; stderr?: string; code?: string };
    // Probing reads headers and packets, never more than a first frame: past the timeout the
    // file is built to stall it, and three attempts would only triple the cost. A rejection.
    if (e.killed) throw new MediaRejectedError('DECODE_TIMEOUT', `reading the video took longer than ${decoder.timeoutMs} ms`);
    if (e.code === 'ENOENT') throw new Error(`ffprobe not found at "${decoder.ffprobePath}" (set FFPROBE_PATH)`);
    throw new MediaRejectedError('UNREADABLE_VIDEO', 'the video container could not be read', undefined, lastLines(e.stderr ?? e.message));
  }
  const videos = (data.streams ?? []).filter((s) => s.codec_type === 'video');
  const stream = videos[0];
  if (!stream) throw new MediaRejectedError('UNREADABLE_VIDEO', 'the file has no video stream');
  // The decoder refused the first frame's size: wider or taller than VIDEO_MAX_PIXELS allows.
  if (!stream.width || !stream.height) throw new MediaRejectedError('VIDEO_TOO_LARGE', `video frames exceed ${maxPixels} pixels`);
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
    videoStreams: videos.length,
  };
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-2).join(' ');
}
