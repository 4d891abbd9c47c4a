import type { FileKind } from '../contract/face-similarity.js';
import { MediaRejectedError } from '../media/errors.js';
import { verifyUpload, type UploadMediaLimits } from '../media/verify.js';
import { Problem } from './problems.js';

/** Checks an upload with src/media and answers a refusal as the problem the client reads. */
export async function verifyUploadOrProblem(kind: FileKind, mediaType: string, file: string, limits: UploadMediaLimits): Promise<void> {
  try {
    await verifyUpload(kind, mediaType, file, limits);
  } catch (err) {
    if (err instanceof MediaRejectedError) throw mediaProblem(kind, err);
    throw err;
  }
}

function mediaProblem(kind: FileKind, err: MediaRejectedError): Problem {
  switch (err.reason) {
    case 'IMAGE_TOO_LARGE':
      return new Problem('image-too-large', err.message);
    case 'VIDEO_TOO_LONG':
      return new Problem('video-too-long', err.message);
    case 'VIDEO_TOO_LARGE':
      return new Problem('video-too-large', err.message);
    default:
      return new Problem('unreadable-media', err.message, { title: `The ${kind === 'ID_IMAGE' ? 'image' : 'video'} is truncated or corrupt` });
  }
}
