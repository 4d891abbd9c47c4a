#!/usr/bin/env bash
# The GPU worker's ffmpeg: a pinned static build (FFmpeg 9.0.2, BtbN's FFmpeg-Builds as the PyPI
# wheel imageio-ffmpeg 0.8.1 ships it), checked by sha256, into .tools/ffmpeg/ffmpeg or $1.
# Why not the distribution's: Debian's ffmpeg links 215 shared libraries and spends ~50 ms of CPU
# in the dynamic loader's symbol lookups at every start, once per comparison; this one starts in
# ~1 ms and gives the same frames, bit for bit, on every fixture video (docs/decisions/0002-static-ffmpeg.md).
# Where it can't be had (not x86-64 Linux, no pip, offline), ffmpeg on PATH stays in use.
set -euo pipefail
cd "$(dirname "$0")/.."
DEST=${1:-.tools/ffmpeg/ffmpeg}
WHEEL=imageio_ffmpeg-0.8.1-py3-none-manylinux_2_28_x86_64.whl
WHEEL_SHA256=050d6850601c3b3890bd2b28306f3b842b3daea390a561101174375a1c460bda
MEMBER=imageio_ffmpeg/binaries/ffmpeg-linux-x86_64-v9.0.2
BINARY_SHA256=0d709a0bed1a43f24cd2c420878c63afea4580671b6949ad19ed124572f3bc3d

if [ -x "$DEST" ] && [ "$(cat "$DEST.sha256" 2>/dev/null)" = "$BINARY_SHA256" ]; then
  exit 0
fi
fallback() {
  echo "ensure-ffmpeg: $1; the GPU worker uses ffmpeg on PATH (set FFMPEG_PATH to choose another)." >&2
  exit 0
}
[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || fallback "no pinned static build for $(uname -s)-$(uname -m)"
command -v python3 >/dev/null || fallback "python3 is not installed to fetch the static build"

echo "Fetching the static ffmpeg 9.0.2 into $DEST (once, ~68 MB)..." >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pip=(python3 -m pip)
# Debian's python3 has no pip of its own; a throwaway venv brings one (python3-venv).
if ! python3 -m pip --version >/dev/null 2>&1; then
  python3 -m venv "$work/venv" >/dev/null 2>&1 || fallback "neither pip nor venv is available to fetch the static build"
  pip=("$work/venv/bin/python" -m pip)
fi
# --require-hashes: pip refuses a wheel whose digest is not the pinned one.
echo "imageio-ffmpeg==0.8.1 --hash=sha256:$WHEEL_SHA256" > "$work/requirements.txt"
"${pip[@]}" download -q --disable-pip-version-check --no-deps --only-binary=:all: \
  --platform manylinux_2_28_x86_64 --require-hashes -r "$work/requirements.txt" -d "$work" \
  || fallback "the wheel could not be downloaded, or its sha256 is not the pinned one"
[ -f "$work/$WHEEL" ] || fallback "pip did not give $WHEEL"
python3 - "$work/$WHEEL" "$MEMBER" "$work/ffmpeg" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel, wheel.open(sys.argv[2]) as src, open(sys.argv[3], 'wb') as dst:
    shutil.copyfileobj(src, dst)
PY
echo "$BINARY_SHA256  $work/ffmpeg" | sha256sum -c --quiet - || { echo "ensure-ffmpeg: the binary's sha256 is not the pinned one" >&2; exit 1; }
chmod 755 "$work/ffmpeg"
"$work/ffmpeg" -hide_banner -version >/dev/null || fallback "the static build does not run here"
mkdir -p "$(dirname "$DEST")"
mv "$work/ffmpeg" "$DEST"
echo "$BINARY_SHA256" > "$DEST.sha256"
