#!/usr/bin/env bash
# Builds what the device machine runs (it has PyTorch but no .NET): a self-contained linux-x64 publish of HEAD
# with TorchSharp but without its own libtorch (AtlasTorchBackend=external: PyTorch's torch/lib is loaded at run
# time, see gpu-common.sh), packed as .gpu/atlas.tar.xz, with the commit in .gpu/COMMIT. Built from a clean copy
# of HEAD, so uncommitted changes are not in it. Then run a device call with carry [".gpu/atlas.tar.xz"], e.g.
#   mkdir -p $OUT && OUT=$OUT BUDGET=390 bash bench/gpu-next.sh 2>&1 | tee $OUT/summary.txt
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git -C "$ROOT" archive HEAD | tar -x -C "$work"
dotnet publish "$work/src/Atlas.Cli" -c Release -r linux-x64 --self-contained -p:AtlasTorchBackend=external -o "$work/publish/atlas" >&2
mkdir -p "$ROOT/.gpu"
tar -cJf "$ROOT/.gpu/atlas.tar.xz" -C "$work/publish" atlas
git -C "$ROOT" rev-parse --short HEAD > "$ROOT/.gpu/COMMIT"
echo "$ROOT/.gpu/atlas.tar.xz: $(du -h "$ROOT/.gpu/atlas.tar.xz" | cut -f1), commit $(cat "$ROOT/.gpu/COMMIT")"
