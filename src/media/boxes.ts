import type { FileHandle } from 'node:fs/promises';

/**
 * The one walker of ISO-BMFF boxes (MP4, MOV, HEIF): the structure check at upload and the movie
 * header reader both go through it, so a file's boxes are read one way, once.
 */

/**
 * Top-level boxes a real MP4, MOV or HEIC file has a handful of (ftyp, moov, mdat, free, meta, a
 * few moof/mdat pairs when fragmented). A file made of millions of tiny boxes would cost one read
 * per box: past this many it is refused.
 */
export const MAX_TOP_LEVEL_BOXES = 4096;

export interface TopLevelBox {
  type: string;
  offset: number;
  headerSize: number;
  size: number;
}

export type BoxWalk = { ok: true; boxes: TopLevelBox[] } | { ok: false; reason: string };

/** Reads up to `length` bytes at `position`; fewer at the end of the file. */
export async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

/** Size and header size of the box starting `header` (16 bytes at most); undefined if cut short. */
function boxSize(header: Buffer, remaining: number): { size: number; headerSize: number } | undefined {
  if (header.length < 8) return undefined;
  const size = header.readUInt32BE(0);
  if (size === 1) return header.length < 16 ? undefined : { size: Number(header.readBigUInt64BE(8)), headerSize: 16 };
  return { size: size === 0 ? remaining : size, headerSize: 8 };
}

/** The top-level boxes, by their headers alone; they must tile the file exactly (a truncated upload does not). */
export async function walkTopLevelBoxes(handle: FileHandle, fileSize: number): Promise<BoxWalk> {
  const boxes: TopLevelBox[] = [];
  for (let position = 0; position < fileSize; ) {
    if (boxes.length >= MAX_TOP_LEVEL_BOXES) return { ok: false, reason: `more than ${MAX_TOP_LEVEL_BOXES} top-level boxes` };
    const header = await readAt(handle, position, 16);
    const measured = boxSize(header, fileSize - position);
    if (!measured) return { ok: false, reason: `box header cut at byte ${position}` };
    const type = header.toString('latin1', 4, 8);
    if (measured.size < measured.headerSize || position + measured.size > fileSize) {
      return { ok: false, reason: `${type} box at byte ${position} runs past the end of the file (truncated)` };
    }
    boxes.push({ type, offset: position, ...measured });
    position += measured.size;
  }
  return { ok: true, boxes };
}

/** A top-level box's body. */
export async function readBody(handle: FileHandle, box: TopLevelBox): Promise<Buffer> {
  return readAt(handle, box.offset + box.headerSize, box.size - box.headerSize);
}

export interface ChildBox {
  type: string;
  body: Buffer;
}

/** The child boxes of a box body held in memory; a malformed child ends the list. */
export function childBoxes(body: Buffer): ChildBox[] {
  const boxes: ChildBox[] = [];
  for (let position = 0; position + 8 <= body.length && boxes.length < MAX_TOP_LEVEL_BOXES; ) {
    const measured = boxSize(body.subarray(position, position + 16), body.length - position);
    if (!measured || measured.size < measured.headerSize || position + measured.size > body.length) break;
    boxes.push({ type: body.toString('latin1', position + 4, position + 8), body: body.subarray(position + measured.headerSize, position + measured.size) });
    position += measured.size;
  }
  return boxes;
}

export const childBox = (box: ChildBox | undefined, type: string): ChildBox | undefined => (box ? childBoxes(box.body).find((b) => b.type === type) : undefined);
