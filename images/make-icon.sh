#!/bin/sh
# Regenerates images/icon.png (128×128, the Marketplace icon): a container with a pin in it. Drawn at 512 px and
# scaled down for clean edges. Needs ImageMagick (Debian: apt-get install imagemagick).
set -eu
cd "$(dirname "$0")"
convert -size 512x512 xc:none \
  -fill '#0d2a4a' -draw 'roundrectangle 0,0 511,511 104,104' \
  -fill '#2f80ed' -draw 'roundrectangle 80,236 432,420 22,22' \
  -stroke '#1c5db8' -strokewidth 14 \
  -draw 'line 136,262 136,394' -draw 'line 196,262 196,394' -draw 'line 256,262 256,394' \
  -draw 'line 316,262 316,394' -draw 'line 376,262 376,394' \
  -stroke '#d9dde3' -strokewidth 12 -draw 'line 262,250 318,178' \
  -stroke none -fill '#f5a623' -draw 'circle 340,148 340,84' \
  -fill '#ffd27a' -draw 'circle 322,128 322,110' \
  -resize 128x128 -strip -define png:exclude-chunks=date,time PNG32:icon.png
