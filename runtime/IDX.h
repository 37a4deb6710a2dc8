//===- IDX.h - IDX files (MNIST, Fashion-MNIST) -----------------*- C++ -*-===//
//
// Part of the mlc runtime. Reads the IDX format of MNIST and Fashion-MNIST,
// gzip-compressed or not.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_RUNTIME_IDX_H
#define MLC_RUNTIME_IDX_H

#include "runtime/HugePages.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlc::runtime {

/// An IDX array of unsigned bytes: dims[0] items of dims[1..] each. The
/// bytes live on huge pages: training reads them in shuffled order.
struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t, HugePageAllocator<uint8_t>> data;
};

/// Reads the bytes of an IDX file of unsigned bytes with `rank` dimensions,
/// gzip-compressed or not. The header is checked against what the bytes
/// can hold before any allocation, and gzip data must be whole (CRC and
/// length checked, nothing after it). On failure returns false and sets
/// `error` to the problem.
bool parseIdx(const uint8_t *data, size_t size, int rank, IdxArray &out,
              std::string &error);

/// Reads an IDX file of unsigned bytes with `rank` dimensions (1 for labels,
/// 3 for images). On failure returns false and sets `error` to a message
/// naming the file and the problem.
bool readIdx(const std::string &path, int rank, IdxArray &out,
             std::string &error);

/// A labelled image set: images [n, rows, cols] and n labels.
struct Dataset {
  IdxArray images, labels;
  int64_t size() const { return images.dims.empty() ? 0 : images.dims[0]; }
};

/// The training and test sets of an MNIST-style directory holding
/// train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte
/// and t10k-labels-idx1-ubyte (each optionally .gz).
bool loadIdxDirectory(const std::string &dir, Dataset &train, Dataset &test,
                      std::string &error);

} // namespace mlc::runtime

#endif // MLC_RUNTIME_IDX_H
