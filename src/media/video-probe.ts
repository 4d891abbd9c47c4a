import { MediaRejectedError } from './errors.js';

/** What is known of a video before a frame is decoded: from its movie box, or from ffprobe. */
export interface VideoProbe {
  /**
   * The longer of the declared duration and the one the stream's packets add up to: a patched
   * movie header can claim three seconds for an hour of video, the packets can't.
   */
  durationMs: number;
  codec: string;
  /** Average frames per second as the container states it; 0 when unknown. */
  frameRate: number;
  /** Frames of the video stream, counted from its packets (no decoding). */
  frameCount: number;
  /** Displayed size, after the rotation metadata is applied. */
  width: number;
  height: number;
  /** Video streams in the file: exactly one is decoded, so exactly one is accepted. */
  videoStreams: number;
}

/** Codecs phones record selfies in; anything else is refused before a decoder is started. */
export const VIDEO_CODECS: ReadonlySet<string> = new Set(['h264', 'hevc', 'vp8', 'vp9', 'av1', 'mpeg4']);

/** Bounds on what a video may declare, checked before a single frame is decoded. */
export interface VideoLimits {
  maxDurationMs: number;
  /** Largest frame (width x height) decoded at all. */
  maxPixels: number;
  maxFrameRate: number;
  /** Most frames the stream may hold (declared, and counted while decoding). */
  maxFrameCount: number;
}

/**
 * Refuses a video whose header declares something we won't decode: the decompression-bomb guard,
 * and a second video stream (what is checked must be what is decoded: the decoder is told to take
 * the one stream there is, and a file with two could smuggle the other past these bounds).
 */
export function assertDecodable(probe: VideoProbe, limits: Partial<VideoLimits> & Pick<VideoLimits, 'maxDurationMs' | 'maxPixels'>): void {
  if (probe.videoStreams !== 1) {
    throw new MediaRejectedError('UNREADABLE_VIDEO', probe.videoStreams === 0 ? 'the file has no video stream' : `the file has ${probe.videoStreams} video streams; send a video with one`);
  }
  if (probe.durationMs > limits.maxDurationMs) {
    throw new MediaRejectedError('VIDEO_TOO_LONG', `video lasts ${probe.durationMs} ms; the limit is ${limits.maxDurationMs} ms`);
  }
  if (!VIDEO_CODECS.has(probe.codec)) {
    throw new MediaRejectedError('UNREADABLE_VIDEO', `video codec ${probe.codec} is not supported (H.264, HEVC, VP8, VP9, AV1, MPEG-4)`);
  }
  const tooFast = limits.maxFrameRate !== undefined && probe.frameRate > limits.maxFrameRate;
  const tooMany = limits.maxFrameCount !== undefined && probe.frameCount > limits.maxFrameCount;
  if (probe.width * probe.height > limits.maxPixels || tooFast || tooMany) {
    throw new MediaRejectedError(
      'VIDEO_TOO_LARGE',
      `video is ${probe.width}x${probe.height} at ${Math.round(probe.frameRate)} fps with ${probe.frameCount} frames; the limits are ${limits.maxPixels} pixels${limits.maxFrameRate ? `, ${limits.maxFrameRate} fps` : ''}${limits.maxFrameCount ? ` and ${limits.maxFrameCount} frames` : ''}`,
    );
  }
}
