"""Prints or edits the __metadata__ of a safetensors checkpoint.

usage: checkpoint_metadata.py FILE                     prints key=value lines
       checkpoint_metadata.py FILE OUT [KEY=VALUE|KEY=]...
                               writes FILE to OUT with KEY set (or removed)
"""
import json
import struct
import sys


def main():
    with open(sys.argv[1], "rb") as f:
        blob = f.read()
    (length,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8 : 8 + length])
    metadata = header.get("__metadata__", {})
    if len(sys.argv) == 2:
        for key in sorted(metadata):
            print(f"{key}={metadata[key]}")
        return
    for edit in sys.argv[3:]:
        key, _, value = edit.partition("=")
        if value:
            metadata[key] = value
        else:
            metadata.pop(key, None)
    header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(sys.argv[2], "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + blob[8 + length :])


main()
