//===- SubsetInterfaces.h - cheap subset comparisons -----------*- C++ -*-===//
//
// One-shot bufferization asks, for every insertion into a tensor, whether
// earlier reads of that tensor read the same subset. Upstream's models
// answer each offset, size and stride with a fresh value-bounds constraint
// system, even when the two are the same SSA value or the same constant:
// about a sixth of mlc-cpu-schedule's time on the seed MLP. These models
// of tensor.extract_slice / insert_slice / parallel_insert_slice and
// vector.transfer_read / transfer_write describe the same subsets and give
// the same answers, deciding the trivial cases without the solver.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_COMPILER_CODEGEN_CPU_SUBSETINTERFACES_H
#define MLC_COMPILER_CODEGEN_CPU_SUBSETINTERFACES_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace mlc {
/// Attaches the SubsetOpInterface models. Must be called before upstream's
/// tensor:: and vector::registerSubsetOpInterfaceExternalModels (the first
/// model attached to an op wins; those still provide the extraction and
/// insertion interfaces).
void registerSubsetInterfaces(mlir::DialectRegistry &registry);
} // namespace mlc

#endif // MLC_COMPILER_CODEGEN_CPU_SUBSETINTERFACES_H
