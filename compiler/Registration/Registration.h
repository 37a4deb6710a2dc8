//===- Registration.h - dialects and passes mlc uses ------------*- C++ -*-===//
//
// The one place that lists what mlc registers. mlc-opt, mlc and the tests
// all call these, so they accept the same IR and passes.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_COMPILER_REGISTRATION_REGISTRATION_H
#define MLC_COMPILER_REGISTRATION_REGISTRATION_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace mlc {

/// Adds the mlc dialect and the upstream dialects mlc lowers through.
void registerDialects(mlir::DialectRegistry &registry);

/// Registers mlc's passes and the upstream passes its pipelines use, so
/// they can be named in textual pipelines (mlc-opt, --print-pipeline).
void registerPasses();

} // namespace mlc

#endif // MLC_COMPILER_REGISTRATION_REGISTRATION_H
