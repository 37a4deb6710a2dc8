//===- Driver.h - compile mlc models: the driver library --------*- C++ -*-===//
//
// One API over the stages of compiling a model, in parts:
//   Model.h      contexts, model files, command-line overrides
//   Pipeline.h   the stages (as written -> graph -> linalg -> LLVM)
//   Target.h     target machines; LLVM IR, assembly and object emission
//   Signature.h  the entry points' calling convention
//   JIT.h        models compiled in-process
// Library.h (standalone model libraries) builds on these and is included
// on its own.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_COMPILER_DRIVER_DRIVER_H
#define MLC_COMPILER_DRIVER_DRIVER_H

#include "compiler/Driver/JIT.h"
#include "compiler/Driver/Model.h"
#include "compiler/Driver/Pipeline.h"
#include "compiler/Driver/Signature.h"
#include "compiler/Driver/Target.h"

#endif // MLC_COMPILER_DRIVER_DRIVER_H
