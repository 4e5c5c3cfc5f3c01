#!/usr/bin/env bash
# Prepare what bench/gpu_lease.sh needs on a lent GPU machine, which has PyTorch but nothing of infnat's GL stack
# and cannot download: run here, from the repository root, before the device call.
#
#   bash bench/gpu_lease_prepare.sh PHOTO...
#
# Writes three folders that git ignores (listed in .git/info/exclude) and the device call carries:
#   .gl/      the EGL libraries (Debian packages, unpacked there; the GPU driver supplies the rest),
#   .whl/     wheels of the Python packages the GPU image lacks (moderngl, glcontext, kornia, kornia_rs), for its
#             Python 3.12, at the versions of this checkout's .venv,
#   .photos/  the training photos (PHOTO..., see docs/model-card.md for the set), as JPEGs at most 1024 px wide, so
#             that everything carried stays well under the device's 64 MiB.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || { echo "usage: bash bench/gpu_lease_prepare.sh PHOTO..." >&2; exit 2; }
exclude=$(git rev-parse --git-path info/exclude)
mkdir -p "$(dirname "$exclude")"
for folder in .gl .whl .photos; do
    grep -qx "/$folder/" "$exclude" 2>/dev/null || echo "/$folder/" >> "$exclude"
    rm -rf "$folder" && mkdir "$folder"
done

apt_options=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64)
mkdir -p /tmp/amd64/partial
apt-get "${apt_options[@]}" update -qq
(cd .gl && apt-get "${apt_options[@]}" download libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)

pins=$(.venv/bin/python -c "import importlib.metadata as m
print(' '.join(f'{n}=={m.version(n)}' for n in ('moderngl', 'glcontext', 'kornia', 'kornia_rs')))")
platforms=()
for p in manylinux_2_28_x86_64 manylinux_2_27_x86_64 manylinux_2_17_x86_64 manylinux2014_x86_64 manylinux1_x86_64; do
    platforms+=(--platform "$p")
done
# shellcheck disable=SC2086  # one argument per pin
.venv/bin/python -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    "${platforms[@]}" -d .whl $pins

.venv/bin/python - "$@" <<'PY'
import sys
from pathlib import Path
from PIL import Image

for number, path in enumerate(map(Path, sys.argv[1:])):
    # A KDE wallpaper is NAME/contents/images/WxH.jpg: NAME names it.
    name = path.parts[path.parts.index("contents") - 1] if "contents" in path.parts[1:] else path.stem
    target = Path(".photos") / f"{name}.jpg"
    if target.exists():
        target = target.with_name(f"{name}_{number}.jpg")
    image = Image.open(path).convert("RGB")
    image.thumbnail((1024, 1024), Image.Resampling.LANCZOS)
    image.save(target, quality=92)
PY
du -sh .gl .whl .photos
