//===- NPY.h - NumPy .npy arrays ---------------------------------*- C++
//-*-===//
//
// Part of the mlc runtime. Reads NumPy's .npy format (versions 1.0, 2.0
// and 3.0): the magic "\x93NUMPY", a version, a little-endian header
// length, a header that is a Python dict literal ({'descr': '<f4',
// 'fortran_order': False, 'shape': (60000, 784), }), then the raw data.
// Booleans, integers of 1-8 bytes and floats of 2, 4 and 8 bytes, in
// either byte order, C or Fortran order; the result is in C order.
// Everything the header claims is checked against the bytes before any
// allocation.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_RUNTIME_NPY_H
#define MLC_RUNTIME_NPY_H

#include <cstdint>
#include <string>
#include <vector>

namespace mlc::runtime {

/// A .npy array in C order. Float dtypes fill `floats` (as float32: f8
/// values are rounded), integer and boolean dtypes fill `ints`.
struct NpyArray {
  std::string dtype; ///< the header's descr without the byte order: "f4"
  std::vector<int64_t> shape;
  bool integral = false;
  std::vector<float> floats;
  std::vector<int64_t> ints;
  int64_t size() const;
};

/// Parses the bytes of a .npy file. On failure returns false and sets
/// `error` to the problem.
bool parseNpy(const uint8_t *data, size_t size, NpyArray &out,
              std::string &error);

/// Reads a .npy file. On failure returns false and sets `error` to a
/// message naming the file and the problem.
bool readNpy(const std::string &path, NpyArray &out, std::string &error);

/// The header of a version 1.0 .npy file of C-order `shape` and `descr`
/// ("<f4"), padded so that the data starts 64-byte aligned: the data's
/// bytes follow it.
std::string npyHeader(const std::string &descr,
                      const std::vector<int64_t> &shape);

} // namespace mlc::runtime

#endif // MLC_RUNTIME_NPY_H
