import sharp from 'sharp';
import type { FileKind } from '../contract/face-similarity.js';
import { MediaRejectedError } from '../face/errors.js';
import { probeVideo } from '../face/video-frames.js';
import { checkStructure } from './media-structure.js';
import { Problem } from './problem.js';

/**
 * Checks an upload before accepting it, so a truncated file is a 400 for the client now rather
 * than a rejection minutes later. JPEG, PNG, WebP, HEIC, MP4 and MOV by their structure (no
 * decoding, no process: microseconds); WebM, whose structure is harder to walk, by ffprobe.
 */
export async function verifyMedia(
  kind: FileKind,
  mediaType: string,
  file: string,
  limits: { maxVideoDurationMs: number; probeTimeoutMs: number; maxImagePixels: number },
): Promise<void> {
  if (kind === 'ID_IMAGE') {
    // Dimensions from the header alone (no decode): a tiny file can declare billions of pixels.
    const { width = 0, height = 0 } = await sharp(file).metadata().catch(() => ({ width: 0, height: 0 }));
    if (width * height > limits.maxImagePixels) {
      throw new Problem(400, 'image-too-large', 'The image has too many pixels', `${width}x${height}; the limit is ${limits.maxImagePixels} pixels`);
    }
  }
  let durationMs: number | undefined;
  if (mediaType === 'video/webm') {
    try {
      durationMs = (await probeVideo(file, limits.probeTimeoutMs)).durationMs;
    } catch (err) {
      if (err instanceof MediaRejectedError) throw unreadable(kind, err.message);
      throw err;
    }
  } else {
    const verdict = await checkStructure(file, mediaType);
    if (!verdict.ok) throw unreadable(kind, verdict.reason);
    durationMs = verdict.durationMs;
  }
  if (kind === 'SELFIE_VIDEO' && durationMs !== undefined && durationMs > limits.maxVideoDurationMs) {
    throw new Problem(400, 'video-too-long', 'The video is too long', `${durationMs} ms; the limit is ${limits.maxVideoDurationMs} ms`);
  }
}

function unreadable(kind: FileKind, reason: string): Problem {
  return new Problem(400, 'unreadable-media', `The ${kind === 'ID_IMAGE' ? 'image' : 'video'} is truncated or corrupt`, reason);
}
