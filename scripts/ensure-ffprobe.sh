#!/usr/bin/env bash
# ffprobe for a machine without one: a static build from the npm registry (@ffprobe-installer's
# johnvansickle.com build, FFmpeg 6 era, GPL-3.0), its package pinned by sha256, into
# .tools/ffmpeg/ffprobe (or $1); src/runtime/tools.ts points FFPROBE_PATH at it. A machine with ffprobe on
# PATH keeps its own (the test media and expectations are made with it).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v ffprobe >/dev/null && exit 0
VERSION=5.2.0
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ARCH=x64 SHA256=8b6b2e34bad5ea7cfbe1914185145f514f620f24203a1a421e8d00a698bf8e61 ;;
  Linux-aarch64) ARCH=arm64 SHA256=369ec8159c5a347e460fe5e2cc9a7e3ed9c53acecb8f29e2a6491e756103c060 ;;
  *) echo "ensure-ffprobe: no pinned ffprobe for $(uname -s)-$(uname -m); install ffmpeg (brew install ffmpeg)." >&2; exit 1 ;;
esac
DEST=${1:-.tools/ffmpeg/ffprobe}
if [ -x "$DEST" ] && [ "$(cat "$DEST.sha256" 2>/dev/null)" = "$SHA256" ]; then exit 0; fi
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
echo "Fetching a static ffprobe (@ffprobe-installer/linux-$ARCH $VERSION, ~30 MB) into $DEST, once..." >&2
(cd "$work" && npm pack --silent "@ffprobe-installer/linux-$ARCH@$VERSION" >/dev/null)
echo "$SHA256  $work/ffprobe-installer-linux-$ARCH-$VERSION.tgz" | sha256sum -c --quiet - || { echo "ensure-ffprobe: the package's sha256 does not match: refusing it" >&2; exit 1; }
tar -xzf "$work/ffprobe-installer-linux-$ARCH-$VERSION.tgz" -C "$work"
mkdir -p "$(dirname "$DEST")"
install -m 0755 "$work/package/ffprobe" "$DEST"
echo "$SHA256" > "$DEST.sha256"
