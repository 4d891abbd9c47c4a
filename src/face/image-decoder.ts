import sharp from 'sharp';
import { MediaRejectedError } from './errors.js';
import type { RgbImage } from './types.js';

/** Decodes any still image sharp reads (JPEG, PNG, WebP, HEIF, …) to upright RGB, honouring EXIF orientation. */
export async function decodeImage(input: string | Buffer): Promise<RgbImage> {
  try {
    const { data, info } = await sharp(input, { failOn: 'error' })
      .rotate()
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (err) {
    throw new MediaRejectedError('UNREADABLE_IMAGE', `image could not be decoded: ${(err as Error).message}`);
  }
}
