//===- SubsetInterfacesTest.cpp - subset comparisons bufferization uses ---===//
//
// One-shot bufferization writes an insertion in place when an earlier read
// of the same tensor reads an equivalent subset. mlc's subset models
// (compiler/CodeGen/CPU/SubsetInterfaces.h) must answer as upstream's do,
// and answer "equivalent" for a slice whose size is a value compared with
// itself, which upstream's value-bounds analysis leaves unknown when the
// size derives from a collapsed tensor's dimension (an LSTM's row tiles
// over batch x time on AVX-512 were copied out and back for that; this
// test fails with upstream's models).
//
//===----------------------------------------------------------------------===//

#include "compiler/Registration/Registration.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Interfaces/SubsetOpInterface.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

namespace {

const char *kSlices = R"(
func.func @f(%x: tensor<?x64x32xf32>, %v: vector<4x8xf32>) -> tensor<?x32xf32> {
  %c0 = arith.constant 0 : index
  %t = tensor.collapse_shape %x [[0, 1], [2]] : tensor<?x64x32xf32> into tensor<?x32xf32>
  %n = tensor.dim %t, %c0 : tensor<?x32xf32>
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %z = arith.constant 0.0 : f32
  %lb = affine.apply affine_map<()[s0] -> ((s0 floordiv 8) * 8)>()[%n]
  %r = scf.for %i = %lb to %n step %c8 iter_args(%acc = %t) -> tensor<?x32xf32> {
    %rows = affine.apply affine_map<(d0)[s0] -> (-d0 + s0)>(%i)[%n]
    %other = affine.apply affine_map<(d0)[s0] -> (-d0 + s0 + 1)>(%i)[%n]
    %a = tensor.extract_slice %acc[%i, 0] [%rows, 32] [1, 1] {tag = "same"} : tensor<?x32xf32> to tensor<?x32xf32>
    %b = tensor.extract_slice %acc[%i, 0] [%rows, 16] [1, 1] {tag = "narrower"} : tensor<?x32xf32> to tensor<?x16xf32>
    %next = affine.apply affine_map<(d0) -> (d0 + 1)>(%i)
    %c = tensor.extract_slice %acc[%next, 0] [%rows, 32] [1, 1] {tag = "shifted"} : tensor<?x32xf32> to tensor<?x32xf32>
    %d = tensor.extract_slice %acc[%i, 0] [%other, 32] [1, 1] {tag = "longer"} : tensor<?x32xf32> to tensor<?x32xf32>
    %e = tensor.extract_slice %t[%i, 0] [%rows, 32] [1, 1] {tag = "elsewhere"} : tensor<?x32xf32> to tensor<?x32xf32>
    %read = vector.transfer_read %acc[%i, %c8], %z {tag = "read"} : tensor<?x32xf32>, vector<4x8xf32>
    %w = vector.transfer_write %v, %acc[%i, %c8] : vector<4x8xf32>, tensor<?x32xf32>
    %s = tensor.insert_slice %a into %w[%i, 0] [%rows, 32] [1, 1] : tensor<?x32xf32> into tensor<?x32xf32>
    scf.yield %s : tensor<?x32xf32>
  }
  return %r : tensor<?x32xf32>
}
)";

TEST(SubsetInterfaces, SlicesComparedLikeUpstreamAndSameSizeKnown) {
  mlir::DialectRegistry registry;
  mlc::registerDialects(registry);
  mlir::MLIRContext context(registry);
  context.loadAllAvailableDialects();
  auto module = mlir::parseSourceString<mlir::ModuleOp>(kSlices, &context);
  ASSERT_TRUE(module);
  mlir::tensor::InsertSliceOp insert;
  mlir::vector::TransferWriteOp write;
  llvm::StringMap<mlir::Value> reads;
  module->walk([&](mlir::Operation *op) {
    if (auto tag = op->getAttrOfType<mlir::StringAttr>("tag"))
      reads[tag.getValue()] = op->getResult(0);
    if (auto i = llvm::dyn_cast<mlir::tensor::InsertSliceOp>(op))
      insert = i;
    if (auto w = llvm::dyn_cast<mlir::vector::TransferWriteOp>(op))
      write = w;
  });
  ASSERT_TRUE(insert && write);
  // Bufferization's equivalence of tensors; here: the insertion's
  // destination (the transfer_write's result) and the loop's tensor are
  // one buffer, `%t` (outside the loop) another.
  mlir::Value acc = write.getBase();
  auto equivalent = [&](mlir::Value a, mlir::Value b) {
    auto buffer = [&](mlir::Value v) {
      return v == write.getResult() ? acc : v;
    };
    return buffer(a) == buffer(b);
  };
  auto slice =
      llvm::cast<mlir::SubsetInsertionOpInterface>(insert.getOperation());
  EXPECT_TRUE(slice.isEquivalentSubset(reads["same"], equivalent));
  EXPECT_FALSE(slice.isEquivalentSubset(reads["narrower"], equivalent));
  EXPECT_FALSE(slice.isEquivalentSubset(reads["shifted"], equivalent));
  EXPECT_FALSE(slice.isEquivalentSubset(reads["longer"], equivalent));
  EXPECT_FALSE(slice.isEquivalentSubset(reads["elsewhere"], equivalent));
  EXPECT_FALSE(slice.isEquivalentSubset(reads["read"], equivalent));
  auto transfer =
      llvm::cast<mlir::SubsetInsertionOpInterface>(write.getOperation());
  EXPECT_TRUE(transfer.isEquivalentSubset(reads["read"], equivalent));
  EXPECT_FALSE(transfer.isEquivalentSubset(reads["same"], equivalent));
}

} // namespace
