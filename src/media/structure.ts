import { open, type FileHandle } from 'node:fs/promises';

/**
 * Cheap structural checks that catch truncated uploads (the usual failure of a phone on a bad
 * network) without decoding: a JPEG ends with its EOI marker, a PNG with its IEND chunk, a WebP's
 * RIFF size covers the file, and ISO-BMFF files (MP4, MOV, HEIC) are a sequence of boxes that
 * tiles the file exactly and holds the box the format needs. A damaged but complete file is
 * still caught later, when the pipeline decodes it.
 */
export type StructureVerdict = { ok: true; durationMs?: number } | { ok: false; reason: string };

export async function checkStructure(file: string, mediaType: string): Promise<StructureVerdict> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    switch (mediaType) {
      case 'image/jpeg':
        return (await tail(handle, size, 2)).equals(Buffer.from([0xff, 0xd9])) ? { ok: true } : { ok: false, reason: 'JPEG has no end-of-image marker' };
      case 'image/png':
        return (await tail(handle, size, 8)).subarray(0, 4).toString('latin1') === 'IEND' ? { ok: true } : { ok: false, reason: 'PNG has no IEND chunk' };
      case 'image/webp': {
        const riffSize = (await read(handle, 4, 4)).readUInt32LE(0);
        return riffSize + 8 === size ? { ok: true } : { ok: false, reason: `WebP declares ${riffSize + 8} bytes, file has ${size}` };
      }
      case 'image/heic':
      case 'image/avif':
        return await checkBoxes(handle, size, 'meta');
      case 'video/mp4':
      case 'video/quicktime':
        return await checkBoxes(handle, size, 'moov');
      default:
        return { ok: true };
    }
  } finally {
    await handle.close();
  }
}

async function read(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

function tail(handle: FileHandle, size: number, length: number): Promise<Buffer> {
  return read(handle, Math.max(0, size - length), Math.min(size, length));
}

/**
 * Top-level boxes a real MP4, MOV or HEIC file has a handful of (ftyp, moov, mdat, free, meta, a
 * few moof/mdat pairs when fragmented). A file made of millions of tiny boxes would cost the API
 * one read per box: past this many it is refused.
 */
export const MAX_TOP_LEVEL_BOXES = 4096;

/** Walks the top-level boxes; they must end exactly at the end of the file and include `required`. */
async function checkBoxes(handle: FileHandle, size: number, required: string): Promise<StructureVerdict> {
  let position = 0;
  let found = false;
  let durationMs: number | undefined;
  for (let boxes = 0; position < size; boxes++) {
    if (boxes >= MAX_TOP_LEVEL_BOXES) return { ok: false, reason: `more than ${MAX_TOP_LEVEL_BOXES} top-level boxes` };
    const header = await read(handle, position, 16);
    if (header.length < 8) return { ok: false, reason: `box header cut at byte ${position}` };
    let boxSize = header.readUInt32BE(0);
    const type = header.toString('latin1', 4, 8);
    let headerSize = 8;
    if (boxSize === 1) {
      if (header.length < 16) return { ok: false, reason: `box header cut at byte ${position}` };
      boxSize = Number(header.readBigUInt64BE(8));
      headerSize = 16;
    } else if (boxSize === 0) {
      boxSize = size - position;
    }
    if (boxSize < headerSize || position + boxSize > size) {
      return { ok: false, reason: `${type} box at byte ${position} runs past the end of the file (truncated)` };
    }
    if (type === required) {
      found = true;
      if (type === 'moov') durationMs = await movieDuration(handle, position + headerSize, boxSize - headerSize);
    }
    position += boxSize;
  }
  return found ? { ok: true, durationMs } : { ok: false, reason: `no ${required} box` };
}

/** Duration from the movie header (mvhd) inside moov, in milliseconds. */
async function movieDuration(handle: FileHandle, start: number, length: number): Promise<number | undefined> {
  let position = start;
  for (let boxes = 0; position + 8 <= start + length && boxes < MAX_TOP_LEVEL_BOXES; boxes++) {
    const header = await read(handle, position, 8);
    const boxSize = header.readUInt32BE(0);
    if (header.toString('latin1', 4, 8) === 'mvhd') {
      const body = await read(handle, position + 8, 32);
      const version = body[0];
      const timescale = version === 1 ? body.readUInt32BE(20) : body.readUInt32BE(12);
      const duration = version === 1 ? Number(body.readBigUInt64BE(24)) : body.readUInt32BE(16);
      return timescale > 0 ? Math.round((duration * 1000) / timescale) : undefined;
    }
    if (boxSize < 8) return undefined;
    position += boxSize;
  }
  return undefined;
}
