//===- Registration.cpp - dialects and passes mlc uses --------------------===//

#include "compiler/Registration/Registration.h"

#include "dialects/MLC/IR/MLCDialect.h"
#include "dialects/MLC/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Transforms/Passes.h"

void mlc::registerDialects(mlir::DialectRegistry &registry) {
  registry.insert<mlc::MLCDialect, mlir::func::FuncDialect>();
}

void mlc::registerPasses() {
  mlc::registerMLCTransformsPasses();
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  mlir::registerSymbolDCEPass();
}
