#!/bin/bash
# What one GPU session runs on the accelerator machine (see /work/shared/device/README.md): build against the
# machine's PyTorch LibTorch (with the custom kernels; if that build fails, again without them so the rest can
# still be measured), then scripts/device_check.sh. Results under $OUT; the build log is appended to
# $OUT/device_check.log.
set -u -o pipefail
cd "$(dirname "$0")/.."
BUILD_LOG=/tmp/device_build.log
# Take every carried library from /tmp/deps (headers and .so of the same Debian version): the machine's own
# libjpeg (ABI 8: its jconfig.h sits in include/x86_64-linux-gnu) or sentencepiece would otherwise mix with the
# carried headers and libraries (ABI 62 / 0.1.97).
DEPS=/tmp/deps/usr
LIBDIR=$DEPS/lib/x86_64-linux-gnu
export PKG_CONFIG_PATH=$LIBDIR/pkgconfig PKG_CONFIG_SYSROOT_DIR=/tmp/deps
DEP_FLAGS="-DJPEG_INCLUDE_DIR=$DEPS/include -DJPEG_LIBRARY=$LIBDIR/libjpeg.so -DPNG_PNG_INCLUDE_DIR=$DEPS/include
  -DPNG_LIBRARY=$LIBDIR/libpng16.so -DCMAKE_CXX_FLAGS=-I$DEPS/include/x86_64-linux-gnu"
# Which jpeglib the compiler will see with these flags (the library is 62; a header of 80 means the machine's own
# jconfig.h won, and every JPEG decode would fail with "Wrong JPEG library version").
mkdir -p /tmp/deps && for f in .device-debs/libjpeg62-turbo*.deb; do dpkg -x "$f" /tmp/deps; done
printf '#include <stdio.h>\n#include <jpeglib.h>\nJPEG_LIB_VERSION\n' |
  g++ -E -P -I$DEPS/include -I$DEPS/include/x86_64-linux-gnu -x c++ - 2>&1 | tail -n 1 | sed 's/^/jpeglib.h JPEG_LIB_VERSION seen by the build: /'
t0=$(date +%s)
if ! bash .device/build.sh -DINFEVAL_CUDA_COMPILE_CHECK=OFF $DEP_FLAGS > "$BUILD_LOG" 2>&1; then
  echo "=== build with kernels failed; rebuilding without them (INFEVAL_CUDA_KERNELS=OFF)" >> "$BUILD_LOG"
  grep -E "error|FAILED" "$BUILD_LOG" | head -40 > /tmp/device_build_errors.txt
  rm -rf /tmp/build
  bash .device/build.sh -DINFEVAL_CUDA_COMPILE_CHECK=OFF -DINFEVAL_CUDA_KERNELS=OFF $DEP_FLAGS >> "$BUILD_LOG" 2>&1 ||
    echo "=== build without kernels failed too" >> "$BUILD_LOG"
fi
echo "build: $(( $(date +%s) - t0 )) s"
# DEVICE_CHECK_SCRIPT: another script to run after the build (a focused investigation) instead of the full check.
OUT=${OUT:-$PWD/device-check-out} bash "${DEVICE_CHECK_SCRIPT:-scripts/device_check.sh}"
{
  echo; echo "=== build log (errors first, then the tail)"
  cat /tmp/device_build_errors.txt 2>/dev/null
  grep -E "error|FAILED" "$BUILD_LOG" | head -40
  tail -n 25 "$BUILD_LOG"
} >> "${OUT:-$PWD/device-check-out}/device_check.log"
