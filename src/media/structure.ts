import { open } from 'node:fs/promises';
import { readAt } from './boxes.js';

/**
 * Cheap structural checks of an image that catch truncated uploads (the usual failure of a phone
 * on a bad network) without decoding: a JPEG ends with its EOI marker, a PNG with its IEND chunk,
 * a WebP's RIFF size covers the file. Videos are checked by their headers (video-header.ts). A
 * damaged but complete file is still caught later, when the pipeline decodes it.
 */
export type StructureVerdict = { ok: true } | { ok: false; reason: string };

export async function checkImageStructure(file: string, mediaType: string): Promise<StructureVerdict> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const tail = (length: number) => readAt(handle, Math.max(0, size - length), Math.min(size, length));
    switch (mediaType) {
      case 'image/jpeg':
        return (await tail(2)).equals(Buffer.from([0xff, 0xd9])) ? { ok: true } : { ok: false, reason: 'JPEG has no end-of-image marker' };
      case 'image/png':
        return (await tail(8)).subarray(0, 4).toString('latin1') === 'IEND' ? { ok: true } : { ok: false, reason: 'PNG has no IEND chunk' };
      case 'image/webp': {
        const riffSize = (await readAt(handle, 4, 4)).readUInt32LE(0);
        return riffSize + 8 === size ? { ok: true } : { ok: false, reason: `WebP declares ${riffSize + 8} bytes, file has ${size}` };
      }
      default:
        return { ok: false, reason: `${mediaType} is not an image type we read` };
    }
  } finally {
    await handle.close();
  }
}
