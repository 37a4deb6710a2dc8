//===- Zip.h - zip archives -------------------------------------*- C++ -*-===//
//
// Part of the mlc runtime. Reads the members of a zip archive held in
// memory (.npz arrays, .keras models): stored or deflated, ZIP64
// included. The central directory is checked before anything is inflated
// (members inside the archive, not sharing bytes, fitting this machine's
// memory once inflated); each member's local header and CRC-32 when it is
// extracted.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_RUNTIME_ZIP_H
#define MLC_RUNTIME_ZIP_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace mlc::runtime {

struct ZipMember {
  std::string name;
  uint16_t method = 0;
  uint32_t crc = 0;
  uint64_t compressed = 0, uncompressed = 0, localOffset = 0;
};

/// Lists the members of the archive `data[0, size)`. `kind` names the
/// file in messages ("a .npz file"). On failure returns false and sets
/// `error`.
bool listZip(const uint8_t *data, size_t size, const char *kind,
             std::vector<ZipMember> &members, std::string &error);

/// The bytes of member `m` (`m.uncompressed` of them): `bytes` points into
/// `data` for a stored member, into `inflated` for a deflated one. On
/// failure returns false and sets `error`, naming the member.
bool extractZip(const uint8_t *data, size_t size, const ZipMember &m,
                std::vector<uint8_t> &inflated, const uint8_t *&bytes,
                std::string &error);

} // namespace mlc::runtime

#endif // MLC_RUNTIME_ZIP_H
