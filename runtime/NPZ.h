//===- NPZ.h - NumPy .npz archives -------------------------------*- C++
//-*-===//
//
// Part of the mlc runtime. Reads the arrays of a .npz file (numpy.savez and
// savez_compressed): a zip archive of .npy members, stored or deflated,
// ZIP64 included. Each member's sizes, CRC-32 and local header are checked
// against the central directory; nothing is allocated past what the
// archive's bytes can hold.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_RUNTIME_NPZ_H
#define MLC_RUNTIME_NPZ_H

#include "runtime/NPY.h"

#include <map>
#include <string>

namespace mlc::runtime {

/// The arrays of an archive by name ("x" for member "x.npy").
using NpzArchive = std::map<std::string, NpyArray>;

/// Parses the bytes of a .npz file. On failure returns false and sets
/// `error` to the problem (naming the member when one is at fault).
bool parseNpz(const uint8_t *data, size_t size, NpzArchive &out,
              std::string &error);

/// Reads a .npz file. On failure returns false and sets `error` to a
/// message naming the file and the problem.
bool readNpz(const std::string &path, NpzArchive &out, std::string &error);

} // namespace mlc::runtime

#endif // MLC_RUNTIME_NPZ_H
