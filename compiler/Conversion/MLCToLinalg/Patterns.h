//===- Patterns.h - mlc -> linalg patterns by op family ---------*- C++ -*-===//
//
// Each family's file adds one pattern per op it lowers. A pattern fails
// only after reporting why at the op's location (see LoweringPattern), so
// the pass can stop with the user's line.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_COMPILER_CONVERSION_MLCTOLINALG_PATTERNS_H
#define MLC_COMPILER_CONVERSION_MLCTOLINALG_PATTERNS_H

#include "mlir/IR/PatternMatch.h"

namespace mlc {

/// Arithmetic, activations, comparisons and constants (Elementwise.cpp).
void populateMLCElementwiseToLinalgPatterns(mlir::RewritePatternSet &patterns);

/// matmul, batched and transposed (Matmul.cpp).
void populateMLCMatmulToLinalgPatterns(mlir::RewritePatternSet &patterns);

/// reduce_sum, reduce_mean and reduce_max (Reductions.cpp).
void populateMLCReductionsToLinalgPatterns(mlir::RewritePatternSet &patterns);

/// reshape, transpose and broadcasts (Shape.cpp).
void populateMLCShapeToLinalgPatterns(mlir::RewritePatternSet &patterns);

/// softmax and log_softmax (Softmax.cpp).
void populateMLCSoftmaxToLinalgPatterns(mlir::RewritePatternSet &patterns);

/// Losses and the one_hot of their labels (Losses.cpp).
void populateMLCLossesToLinalgPatterns(mlir::RewritePatternSet &patterns);

/// Convolution, pooling and their gradients, NHWC (Conv.cpp).
void populateMLCConvToLinalgPatterns(mlir::RewritePatternSet &patterns);

/// dropout_mask, a counter-based random mask (Random.cpp).
void populateMLCRandomToLinalgPatterns(mlir::RewritePatternSet &patterns);

/// gather and gather_grad, rows of a table by integer ids, and iota
/// (Gather.cpp).
void populateMLCGatherToLinalgPatterns(mlir::RewritePatternSet &patterns);

} // namespace mlc

#endif // MLC_COMPILER_CONVERSION_MLCTOLINALG_PATTERNS_H
