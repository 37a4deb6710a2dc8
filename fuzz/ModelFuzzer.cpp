//===- ModelFuzzer.cpp - fuzz target: model text to linalg ----------------===//
//
// What `mlc` does with a model file before code generation: parse and
// verify (with the nesting limit), then lower every model to entry points
// on linalg tensors. Any input must end in a diagnostic or a module, never
// a crash.
//
//===----------------------------------------------------------------------===//

#include "compiler/Driver/Model.h"
#include "compiler/Driver/Pipeline.h"
#include "compiler/Driver/Target.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // One context for the whole run: creating one loads every dialect.
  static std::unique_ptr<MLIRContext> context = mlc::createContext();
  ScopedDiagnosticHandler quiet(context.get(),
                                [](Diagnostic &) { return success(); });
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(
          llvm::StringRef(reinterpret_cast<const char *>(data), size),
          "fuzz.mlir"),
      llvm::SMLoc());
  OwningOpRef<ModuleOp> module = mlc::parseModel(*context, sourceMgr);
  if (!module)
    return 0;
  mlc::TargetOptions target;
  (void)mlc::lowerModule(*module, mlc::Stage::Model, mlc::Stage::Linalg,
                         target);
  return 0;
}
