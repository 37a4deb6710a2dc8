"""Writes a copy of a .keras archive with text replaced in one member, or
a member dropped, to make damaged inputs (standard library only):
    mutate_keras.py IN OUT MEMBER OLD NEW
    mutate_keras.py IN OUT --drop MEMBER"""

import sys
import zipfile

src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
    for info in zin.infolist():
        data = zin.read(info.filename)
        if sys.argv[3] == "--drop":
            if info.filename == sys.argv[4]:
                continue
        elif info.filename == sys.argv[3]:
            old, new = sys.argv[4].encode(), sys.argv[5].encode()
            if old not in data:
                sys.exit("%s: no %r in %s" % (src, old, info.filename))
            data = data.replace(old, new, 1)
        zout.writestr(info, data)
