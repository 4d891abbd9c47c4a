import { describe, expect, it } from 'vitest';
import { CLOSER_LOOK_BELOW_PX, closerLookEdge } from '../../src/face/comparison/compare.js';

const frame = { width: 640, height: 360 };
const uhd = { width: 3840, height: 2160 };

describe('a closer look at a scaled-down video', () => {
  it('asks for the edge at which the largest face would be full size, within the video and the limit', () => {
    // A 25-px face at 640 px: 112 px needs 2868 px, the limit allows 1920.
    expect(closerLookEdge(25, frame, uhd, 1920)).toBe(1920);
    expect(closerLookEdge(40, frame, uhd, 4096)).toBe(1792);
    // Never past the video's own size.
    expect(closerLookEdge(20, frame, { width: 1280, height: 720 }, 4096)).toBe(1280);
  });

  it('does not ask when faces are large enough, none was found, or little would be gained', () => {
    expect(closerLookEdge(CLOSER_LOOK_BELOW_PX, frame, uhd, 1920)).toBeUndefined();
    expect(closerLookEdge(0, frame, uhd, 1920)).toBeUndefined();
    // The video is barely larger than its frames: 700 px is not worth a second decode.
    expect(closerLookEdge(30, frame, { width: 700, height: 394 }, 1920)).toBeUndefined();
  });
});
