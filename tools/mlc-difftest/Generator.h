//===- Generator.h - random well-typed mlc graphs ---------------*- C++ -*-===//
//
// Random graphs of mlc core ops (and batch norm and dropout, in their
// training form) for the differential tester: ops x ranks 1-4
// x dynamic dimensions (the batch at position 0, a sequence length at
// position 1) x broadcasting x fan-out x every loss. Each graph is a small
// model text with its own inputs and params; graphs are independent, so
// many of them can share one compiled model.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_TOOLS_DIFFTEST_GENERATOR_H
#define MLC_TOOLS_DIFFTEST_GENERATOR_H

#include <cstdint>
#include <string>
#include <vector>

namespace mlc::difftest {

/// A dimension: static, or dynamic with the symbol of the size it carries
/// ('B' the batch, 'S' the sequence length).
struct Dim {
  int64_t size = 1; ///< static size (unused when dynamic)
  char sym = 0;     ///< 0 for static
  bool operator==(const Dim &o) const {
    return sym == o.sym && (sym || size == o.size);
  }
};
using Shape = std::vector<Dim>;

/// An input or param of a graph.
struct Leaf {
  std::string name; ///< unique across a pack (input name / param symbol)
  Shape shape;
  bool param = false;
  bool labels = false; ///< int32 class labels in [0, classes)
  int64_t classes = 0;
  double lo = -2, hi = 2; ///< range of the random values
};

/// One random graph: leaves, body lines, and the rank-0 loss %<p>l.
struct Graph {
  std::string prefix; ///< "g3_": SSA names and leaf names start with it
  std::string elt;    ///< "f32" or "f64"
  std::vector<Leaf> leaves;
  std::vector<std::string> body; ///< lines defining values, then %<p>l
  std::string y;                 ///< the graph's value before the loss
  Shape yShape;
  bool outputY = false; ///< y's dynamic dims sit where buffers expect them
  std::string loss;     ///< what the loss is, for reports

  /// The graph alone as a model: outputs l, y (if outputY), then the
  /// gradient of l with respect to every float leaf.
  std::string modelText(const std::string &name) const;
};

/// Float leaves first to last, the order of the gradient outputs.
std::vector<const Leaf *> floatLeaves(const Graph &g);

/// The type of `shape` holding `elt`.
std::string typeStr(const Shape &shape, const std::string &elt);

/// The element type of graph `index` ("f32" or "f64"): runs of 8 graphs
/// share it, so they can share a model.
std::string elementTypeOf(uint64_t seed, uint64_t index);

/// Op kinds the generator leaves out ("clip", "matmul", "reduce_max", ...:
/// the op's mnemonic), to isolate a bug.
void excludeOps(const std::vector<std::string> &ops);

/// Graph `index` of the run with `seed`: the same arguments give the same
/// graph.
Graph generate(uint64_t seed, uint64_t index, const std::string &prefix);

/// Several graphs as one model: outputs every l, every y (where outputY),
/// then the gradient of the sum of the losses with respect to every float
/// leaf, graph after graph.
std::string packText(const std::vector<Graph> &graphs);

} // namespace mlc::difftest

#endif // MLC_TOOLS_DIFFTEST_GENERATOR_H
