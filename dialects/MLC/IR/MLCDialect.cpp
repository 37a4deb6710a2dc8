//===- MLCDialect.cpp - The mlc dialect -----------------------------------===//

#include "dialects/MLC/IR/MLCDialect.h"

using namespace mlir;
using namespace mlc;

#include "dialects/MLC/IR/MLCDialect.cpp.inc"

void MLCDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/MLC/IR/MLCOps.cpp.inc"
      >();
  registerAttributes();
}

Operation *MLCDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                           Type type, Location loc) {
  auto elements = llvm::dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, type, elements);
}
