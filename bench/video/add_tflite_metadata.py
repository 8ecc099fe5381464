#!/usr/bin/env python3
"""Writes a copy of the selfie segmentation TFLite model with the
input-normalisation metadata MediaPipe Tasks requires (mean 0, std 255: the
model takes [0, 1] RGB), using tflite-support's metadata writer (MediaPipe
1.2.3's own writer lacks its compiled module in the wheel). Runs in its own
venv (bench/video/run.sh makes it): tflite-support pins old protobuf and
flatbuffers versions.

    add_tflite_metadata.py IN.tflite OUT.tflite
"""

import sys
from pathlib import Path

from tflite_support.metadata_writers import image_segmenter, writer_utils

source, target = Path(sys.argv[1]), Path(sys.argv[2])
labels = target.with_suffix(".labels.txt")
labels.write_text("person\n")
writer = image_segmenter.MetadataWriter.create_for_inference(
    writer_utils.load_file(str(source)), [0.0], [255.0], [str(labels)])
writer_utils.save_file(writer.populate(), str(target))
print(target)
