//===- ImportChecks.h - what the importers' fuzz targets check --*- C++ -*-===//
//
// Shared by KerasFuzzer.cpp and OnnxFuzzer.cpp: a refused model must say
// why, and an accepted one must translate into text that parses and
// verifies as an mlc model.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_FUZZ_IMPORTCHECKS_H
#define MLC_FUZZ_IMPORTCHECKS_H

#include "compiler/Driver/Model.h"
#include "frontends/Import/ImportedModel.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"

#include <string>

inline void checkImport(bool accepted, const std::string &error,
                        const mlc::import::ImportedModel &model) {
  // One context for the whole run: creating one loads every dialect.
  static std::unique_ptr<mlir::MLIRContext> context = mlc::createContext();
  if (!accepted) {
    if (error.empty())
      __builtin_trap(); // every refusal says why
    return;
  }
  mlir::ScopedDiagnosticHandler quiet(
      context.get(), [](mlir::Diagnostic &) { return mlir::success(); });
  if (!mlir::parseSourceString<mlir::ModuleOp>(model.mlir, context.get()))
    __builtin_trap(); // an accepted model translates into a valid one
}

#endif // MLC_FUZZ_IMPORTCHECKS_H
