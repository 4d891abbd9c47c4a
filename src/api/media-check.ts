import sharp from 'sharp';
import type { FileKind } from '../contract/face-similarity.js';
import { MediaRejectedError } from '../face/errors.js';
import { probeVideo } from '../face/video-frames.js';
import { Problem } from './problem.js';

/**
 * Decodes an upload once before accepting it, so a truncated or corrupt file is a 400 for the
 * client now rather than a rejection minutes later: images fully (sharp fails on truncation),
 * videos by ffprobe (a cut MP4 has no readable index).
 */
export async function verifyMedia(kind: FileKind, file: string, limits: { maxVideoDurationMs: number; probeTimeoutMs: number }): Promise<void> {
  if (kind === 'ID_IMAGE') {
    try {
      await sharp(file, { failOn: 'truncated' }).stats();
    } catch (err) {
      throw new Problem(400, 'unreadable-media', 'The image cannot be decoded', `truncated or corrupt image: ${(err as Error).message}`);
    }
    return;
  }
  try {
    const probe = await probeVideo(file, limits.probeTimeoutMs);
    if (probe.durationMs > limits.maxVideoDurationMs) {
      throw new Problem(400, 'video-too-long', 'The video is too long', `${probe.durationMs} ms; the limit is ${limits.maxVideoDurationMs} ms`);
    }
  } catch (err) {
    if (err instanceof MediaRejectedError) throw new Problem(400, 'unreadable-media', 'The video cannot be decoded', err.message);
    throw err;
  }
}
