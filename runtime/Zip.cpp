//===- Zip.cpp - zip archives ---------------------------------------------===//
//
// The zip layout read here (APPNOTE 6.3): an end-of-central-directory
// record at the end (ZIP64's locator and record before it when counts or
// offsets overflow 32 bits), a central directory entry per member (name,
// method, CRC-32, sizes, local header offset; ZIP64 sizes in an extra
// field), and before each member's data its local header.
//
//===----------------------------------------------------------------------===//

#include "runtime/Zip.h"

#include "runtime/ReadFile.h"

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace mlc::runtime {
namespace {

uint64_t le(const uint8_t *p, int bytes) {
  uint64_t v = 0;
  for (int k = 0; k < bytes; ++k)
    v |= uint64_t(p[k]) << (8 * k);
  return v;
}

/// The ZIP64 extra field's sizes and offset, each present only where the
/// 32-bit field holds 0xFFFFFFFF.
bool zip64Extra(const uint8_t *extra, size_t length, ZipMember &m,
                bool needUncompressed, bool needCompressed, bool needOffset) {
  size_t pos = 0;
  while (pos + 4 <= length) {
    uint16_t id = uint16_t(le(extra + pos, 2));
    uint16_t size = uint16_t(le(extra + pos + 2, 2));
    pos += 4;
    if (size > length - pos)
      return false;
    if (id == 1) {
      size_t at = pos, stop = pos + size;
      auto next = [&](uint64_t &field) {
        if (at + 8 > stop)
          return false;
        field = le(extra + at, 8);
        at += 8;
        return true;
      };
      if ((needUncompressed && !next(m.uncompressed)) ||
          (needCompressed && !next(m.compressed)) ||
          (needOffset && !next(m.localOffset)))
        return false;
      return true;
    }
    pos += size;
  }
  return !needUncompressed && !needCompressed && !needOffset;
}

/// Inflates raw deflate data into exactly `outSize` bytes: the stream
/// must end there, having used all of `in`.
bool inflateRaw(const uint8_t *in, uint64_t inSize, uint8_t *out,
                uint64_t outSize) {
  z_stream s;
  std::memset(&s, 0, sizeof s);
  if (inflateInit2(&s, -MAX_WBITS) != Z_OK)
    return false;
  uint64_t inPos = 0, outPos = 0;
  uint8_t probe; // room for one byte too many, to catch longer streams
  bool probing = false;
  int status;
  do {
    // zlib counts in 32 bits: feed and drain in chunks.
    if (s.avail_in == 0 && inPos < inSize) {
      s.next_in = const_cast<uint8_t *>(in + inPos);
      s.avail_in = uInt(std::min<uint64_t>(inSize - inPos, 1u << 30));
      inPos += s.avail_in;
    }
    if (s.avail_out == 0) {
      if (outPos < outSize) {
        s.next_out = out + outPos;
        s.avail_out = uInt(std::min<uint64_t>(outSize - outPos, 1u << 30));
        outPos += s.avail_out;
      } else if (!probing) {
        s.next_out = &probe;
        s.avail_out = 1;
        probing = true;
      } else {
        break; // more output than the member's size
      }
    }
    status = inflate(&s, Z_NO_FLUSH);
  } while (status == Z_OK);
  bool ok = status == Z_STREAM_END && uint64_t(s.total_out) == outSize &&
            uint64_t(s.total_in) == inSize;
  inflateEnd(&s);
  return ok;
}

} // namespace

bool listZip(const uint8_t *data, size_t size, const char *kind,
             std::vector<ZipMember> &members, std::string &error) {
  members.clear();
  // The end-of-central-directory record: 22 bytes and a comment of at most
  // 65535, so it starts within the last 65557 bytes.
  if (size < 22) {
    error = std::string("not ") + kind + " (too short for a zip archive)";
    return false;
  }
  size_t eocd = size;
  for (size_t at = size - 22;; --at) {
    if (le(data + at, 4) == 0x06054b50 &&
        at + 22 + le(data + at + 20, 2) == size) {
      eocd = at;
      break;
    }
    if (at == 0 || size - at > 65557)
      break;
  }
  if (eocd == size) {
    error = std::string("not ") + kind +
            " (no zip end-of-central-directory record)";
    return false;
  }
  uint64_t entries = le(data + eocd + 10, 2);
  uint64_t cdSize = le(data + eocd + 12, 4), cdOffset = le(data + eocd + 16, 4);
  if (entries == 0xFFFF || cdSize == 0xFFFFFFFF || cdOffset == 0xFFFFFFFF) {
    // ZIP64: a locator (20 bytes) right before, pointing at the record.
    if (eocd < 20 || le(data + eocd - 20, 4) != 0x07064b50) {
      error = "a ZIP64 archive without its locator";
      return false;
    }
    uint64_t record = le(data + eocd - 20 + 8, 8);
    if (record > size || size - record < 56 ||
        le(data + record, 4) != 0x06064b50) {
      error = "a ZIP64 locator pointing outside the archive";
      return false;
    }
    entries = le(data + record + 32, 8);
    cdSize = le(data + record + 40, 8);
    cdOffset = le(data + record + 48, 8);
  }
  if (cdOffset > size || cdSize > size - cdOffset) {
    error = "the central directory lies outside the archive";
    return false;
  }
  // Each entry takes at least 46 bytes: a count past that is a lie.
  if (entries > cdSize / 46) {
    error = "the archive claims " + std::to_string(entries) + " members in a " +
            std::to_string(cdSize) + "-byte central directory";
    return false;
  }
  size_t pos = size_t(cdOffset), cdEnd = size_t(cdOffset + cdSize);
  for (uint64_t k = 0; k < entries; ++k) {
    if (cdEnd - pos < 46 || le(data + pos, 4) != 0x02014b50) {
      error = "central directory entry " + std::to_string(k) + " is damaged";
      return false;
    }
    ZipMember m;
    uint16_t flags = uint16_t(le(data + pos + 8, 2));
    m.method = uint16_t(le(data + pos + 10, 2));
    m.crc = uint32_t(le(data + pos + 16, 4));
    m.compressed = le(data + pos + 20, 4);
    m.uncompressed = le(data + pos + 24, 4);
    size_t nameLength = size_t(le(data + pos + 28, 2));
    size_t extraLength = size_t(le(data + pos + 30, 2));
    size_t commentLength = size_t(le(data + pos + 32, 2));
    m.localOffset = le(data + pos + 42, 4);
    if (cdEnd - pos - 46 < nameLength + extraLength + commentLength) {
      error = "central directory entry " + std::to_string(k) + " is damaged";
      return false;
    }
    m.name.assign(reinterpret_cast<const char *>(data + pos + 46), nameLength);
    if (flags & 1) {
      error = "member '" + m.name + "' is encrypted";
      return false;
    }
    bool needU = m.uncompressed == 0xFFFFFFFF,
         needC = m.compressed == 0xFFFFFFFF,
         needO = m.localOffset == 0xFFFFFFFF;
    if ((needU || needC || needO) &&
        !zip64Extra(data + pos + 46 + nameLength, extraLength, m, needU, needC,
                    needO)) {
      error = "member '" + m.name + "' has a damaged ZIP64 extra field";
      return false;
    }
    members.push_back(std::move(m));
    pos += 46 + nameLength + extraLength + commentLength;
  }

  // Members may not share bytes (a file could otherwise name the same
  // deflated data many times over and multiply what it inflates to), and
  // all of them must fit this machine's memory once inflated.
  std::vector<const ZipMember *> byOffset;
  uint64_t total = 0;
  for (const ZipMember &m : members) {
    byOffset.push_back(&m);
    if (m.uncompressed > UINT64_MAX - total) {
      error = "the members' sizes overflow";
      return false;
    }
    total += m.uncompressed;
  }
  uint64_t memory = physicalMemory();
  if (total > memory) {
    error = "the members claim " + std::to_string(total) +
            " bytes in all, more than this machine's memory";
    return false;
  }
  std::sort(byOffset.begin(), byOffset.end(),
            [](const ZipMember *a, const ZipMember *b) {
              return a->localOffset < b->localOffset;
            });
  for (size_t k = 1; k < byOffset.size(); ++k)
    if (byOffset[k]->localOffset <
        byOffset[k - 1]->localOffset + 30 + byOffset[k - 1]->compressed) {
      error = "members '" + byOffset[k - 1]->name + "' and '" +
              byOffset[k]->name + "' overlap";
      return false;
    }
  return true;
}

bool extractZip(const uint8_t *data, size_t size, const ZipMember &m,
                std::vector<uint8_t> &inflated, const uint8_t *&bytes,
                std::string &error) {
  const std::string &name = m.name;
  if (m.method != 0 && m.method != 8) {
    error = "member '" + name + "' uses compression method " +
            std::to_string(m.method) + " (stored and deflate are read)";
    return false;
  }
  // The local header: its name and extra lengths place the data.
  if (m.localOffset > size || size - m.localOffset < 30 ||
      le(data + m.localOffset, 4) != 0x04034b50) {
    error = "member '" + name +
            "' has no local header where the central "
            "directory says";
    return false;
  }
  uint64_t localName = le(data + m.localOffset + 26, 2);
  uint64_t start =
      m.localOffset + 30 + localName + le(data + m.localOffset + 28, 2);
  if (localName != m.name.size() || start > size ||
      std::memcmp(data + m.localOffset + 30, m.name.data(), localName) != 0 ||
      le(data + m.localOffset + 8, 2) != m.method) {
    error = "member '" + name +
            "' has a local header that disagrees with the central directory";
    return false;
  }
  if (start > size || m.compressed > size - start) {
    error = "member '" + name + "' runs past the end of the archive";
    return false;
  }
  const uint8_t *stored = data + start;
  bytes = stored;
  if (m.method == 8) {
    // Deflate expands by at most 1032x: a larger claim is a lie.
    if (m.uncompressed / 1032 > m.compressed + 1) {
      error = "member '" + name + "' claims " + std::to_string(m.uncompressed) +
              " bytes from " + std::to_string(m.compressed) + " compressed";
      return false;
    }
    inflated.resize(size_t(m.uncompressed));
    if (!inflateRaw(stored, m.compressed, inflated.data(), m.uncompressed)) {
      error = "member '" + name + "' does not inflate to its " +
              std::to_string(m.uncompressed) + " bytes";
      return false;
    }
    bytes = inflated.data();
  } else if (m.compressed != m.uncompressed) {
    error = "member '" + name + "' is stored with two different sizes";
    return false;
  }
  uLong crc = crc32_z(0, nullptr, 0);
  crc = crc32_z(crc, bytes, size_t(m.uncompressed));
  if (uint32_t(crc) != m.crc) {
    error = "member '" + name + "' fails its CRC-32 check";
    return false;
  }
  return true;
}

} // namespace mlc::runtime
