/** Head pose from YuNet's five landmarks, in the image's own terms. */
import type { Point } from '../types.js';

/**
 * Signed yaw proxy, about -1..1: the nose tip's offset from the middle of the eye line, along
 * that line, in half eye distances. 0 is frontal; positive when the nose points to the image's
 * right, which is the subject's left in an unmirrored recording.
 */
export function yawProxy(landmarks: readonly Point[]): number {
  const [leftEye, rightEye, nose] = landmarks;
  if (!leftEye || !rightEye || !nose) return 0;
  const ex = rightEye[0] - leftEye[0];
  const ey = rightEye[1] - leftEye[1];
  const d = Math.hypot(ex, ey);
  if (d === 0) return 0;
  const along = ((nose[0] - (leftEye[0] + rightEye[0]) / 2) * ex + (nose[1] - (leftEye[1] + rightEye[1]) / 2) * ey) / d;
  return along / (d / 2);
}
