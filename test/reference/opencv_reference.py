"""OpenCV reference pipeline: the test oracle for face-match parity (never a runtime dependency).

OpenCV's own FaceDetectorYN on the YuNet model, OpenCV's FaceRecognizerSF.alignCrop for the
5-point alignment, and the same embedding model through onnxruntime for Python with the
preprocessing the model's README gives.

Reads a JSON request on stdin:
  {"detector": path, "embedder": path, "score_threshold": f, "nms_threshold": f,
   "channel_order": "RGB"|"BGR", "mean": [3], "std": [3], "images": [path, ...]}
or, for benchmarks, "sessions": [{"id", "video"}], "fps", "max_frames", "max_edge", "repeat", "warmup"
(timing covers the repeats after one untimed pass).
Writes JSON on stdout: {"images": [{"path", "width", "height", "scale",
  "faces": [{"box": [x, y, w, h], "landmarks": [[x, y] * 5], "score"}],   # original-image coordinates, best first
  "embedding": [...] | null}],                                           # of the largest face
  "timing_ms": {"decode", "detect", "align", "embed"}}
"""
import json
import sys
import time

import cv2
import numpy as np
import onnxruntime as ort

INPUT_SIZE = 640  # the 2023mar YuNet export has a fixed 640x640 input


def letterbox(image, aspect=False):
    """Scale to fit 640x640 keeping the aspect ratio, pad right and bottom with black: to the
    whole square, or (aspect) only up to a multiple of 32, as FaceDetectorYN.setInputSize allows."""
    h, w = image.shape[:2]
    scale = min(INPUT_SIZE / w, INPUT_SIZE / h)
    rw, rh = max(1, min(INPUT_SIZE, round(w * scale))), max(1, min(INPUT_SIZE, round(h * scale)))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    resized = cv2.resize(image, (rw, rh), interpolation=interpolation)
    pw, ph = ((rw + 31) // 32 * 32, (rh + 31) // 32 * 32) if aspect else (INPUT_SIZE, INPUT_SIZE)
    padded = np.zeros((ph, pw, 3), dtype=np.uint8)
    padded[:rh, :rw] = resized
    return padded, scale


def embed(session, input_name, aligned_bgr, req):
    pixels = aligned_bgr[:, :, ::-1] if req["channel_order"] == "RGB" else aligned_bgr
    x = pixels.astype(np.float32) / 255.0
    x = (x - np.array(req["mean"], dtype=np.float32)) / np.array(req["std"], dtype=np.float32)
    blob = np.ascontiguousarray(x.transpose(2, 0, 1)[np.newaxis])
    out = session.run(None, {input_name: blob})[0].reshape(-1).astype(np.float64)
    return out / np.linalg.norm(out)


def sample_video(path, fps, max_frames, max_edge):
    """Frames at the same timestamps as ffmpeg's fps filter (0, 1/fps, 2/fps, ...), decoded the way
    OpenCV users read video: sequentially with VideoCapture, scaled to max_edge with INTER_AREA."""
    cap = cv2.VideoCapture(path)
    frames, index, next_t = [], 0, 0.0
    src_fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    while len(frames) < max_frames:
        ok, frame = cap.read()
        if not ok:
            break
        t = index / src_fps
        index += 1
        if t + 1e-6 < next_t:
            continue
        next_t += 1.0 / fps
        h, w = frame.shape[:2]
        scale = min(1.0, max_edge / max(w, h))
        if scale < 1.0:
            size = (max(2, 2 * round(w * scale / 2)), max(2, 2 * round(h * scale / 2)))
            frame = cv2.resize(frame, size, interpolation=cv2.INTER_AREA)
        frames.append(frame)
    cap.release()
    return frames


class Reference:
    """OpenCV's detector and aligner and the embedder's onnxruntime session, with stage timings."""

    def __init__(self, req):
        self.req = req
        self.detector = cv2.FaceDetectorYN.create(
            req["detector"], "", (INPUT_SIZE, INPUT_SIZE), req["score_threshold"], req["nms_threshold"], 5000
        )
        # alignCrop does not touch the recognizer's network; any loadable model serves to construct it.
        self.recognizer = cv2.FaceRecognizerSF.create(req["embedder"], "")
        self.session = ort.InferenceSession(req["embedder"], providers=["CPUExecutionProvider"])
        self.input_name = self.session.get_inputs()[0].name
        self.timing = {"decode": 0.0, "detect": 0.0, "align": 0.0, "embed": 0.0}

    def describe(self, image):
        """Every face (original-image coordinates, best first) and the embedding of the largest one."""
        t1 = time.perf_counter()
        padded, scale = letterbox(image, self.req.get("input_mode") == "aspect")
        self.detector.setInputSize((padded.shape[1], padded.shape[0]))
        _, raw = self.detector.detect(padded)
        t2 = time.perf_counter()
        self.timing["detect"] += (t2 - t1) * 1000
        faces = []
        for row in [] if raw is None else raw:
            mapped = row.copy()
            mapped[:14] /= scale
            faces.append(mapped)
        faces.sort(key=lambda f: -f[14])
        if not faces:
            return faces, scale, None
        aligned = self.recognizer.alignCrop(image, max(faces, key=lambda f: f[2] * f[3]))
        t3 = time.perf_counter()
        embedding = embed(self.session, self.input_name, aligned, self.req)
        self.timing["align"] += (t3 - t2) * 1000
        self.timing["embed"] += (time.perf_counter() - t3) * 1000
        return faces, scale, embedding

    def read(self, path):
        t0 = time.perf_counter()
        image = cv2.imread(path, cv2.IMREAD_COLOR)
        if image is None:
            raise SystemExit(f"cannot read {path}")
        self.timing["decode"] += (time.perf_counter() - t0) * 1000
        return image


def run_images(ref):
    """Parity mode: every image's faces and embedding."""
    results = []
    for path in ref.req["images"]:
        image = ref.read(path)
        faces, scale, embedding = ref.describe(image)
        results.append({
            "path": path,
            "width": int(image.shape[1]),
            "height": int(image.shape[0]),
            "scale": scale,
            "faces": [
                {"box": [float(v) for v in f[0:4]],
                 "landmarks": [[float(f[4 + 2 * k]), float(f[5 + 2 * k])] for k in range(5)],
                 "score": float(f[14])}
                for f in faces
            ],
            "embedding": None if embedding is None else [float(v) for v in embedding],
        })
    json.dump({"images": results, "timing_ms": ref.timing}, sys.stdout)


def run_sessions(ref):
    """Benchmark mode: whole sessions (ID image + selfie video) as an OpenCV pipeline would run them."""
    req = ref.req
    summaries = []
    warmup = 1 if req.get("warmup") else 0
    for run in range(warmup + req.get("repeat", 1)):
        if run == warmup:
            ref.timing = {k: 0.0 for k in ref.timing}
        summaries = []
        for s in req["sessions"]:
            _, _, id_embedding = ref.describe(ref.read(s["id"]))
            t0 = time.perf_counter()
            frames = sample_video(s["video"], req["fps"], req["max_frames"], req["max_edge"])
            ref.timing["decode"] += (time.perf_counter() - t0) * 1000
            sims = []
            for frame in frames:
                _, _, e = ref.describe(frame)
                if e is not None and id_embedding is not None:
                    sims.append(float(id_embedding @ e))
            summaries.append({"frames": len(frames), "faces": len(sims) + (id_embedding is not None), "similarities": sims})
    json.dump({"sessions": summaries, "timing_ms": ref.timing}, sys.stdout)


def main():
    req = json.load(sys.stdin)
    ref = Reference(req)
    if "sessions" in req:
        run_sessions(ref)
    else:
        run_images(ref)


if __name__ == "__main__":
    main()
