/** Interleaved 8-bit RGB pixels, row-major, no padding. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export type Point = readonly [number, number];

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A detected face in the coordinates of the image it was found in. */
export interface DetectedFace {
  box: Box;
  /** Five points in YuNet's order: image-left eye, image-right eye, nose, image-left and image-right mouth corner. */
  landmarks: Point[];
  score: number;
}
