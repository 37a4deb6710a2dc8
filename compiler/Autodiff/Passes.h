//===- Passes.h - mlc autodiff passes ---------------------------*- C++ -*-===//

#ifndef MLC_COMPILER_AUTODIFF_PASSES_H
#define MLC_COMPILER_AUTODIFF_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlc {

#define GEN_PASS_DECL
#include "compiler/Autodiff/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/Autodiff/Passes.h.inc"

} // namespace mlc

#endif // MLC_COMPILER_AUTODIFF_PASSES_H
