//===- ONNXImport.h - ONNX models to mlc models -----------------*- C++ -*-===//
//
// Reads an ONNX model (a ModelProto, through Debian's libonnx and
// libprotobuf) and writes it in the mlc dialect: initializers become
// `mlc.param`s (so the imported graph trains, with --loss and
// --optimizer), Gemm and MatMul with their bias become `mlc.dense`, and
// convolutions, pooling and batch norm run channels-last as mlc's do: an
// NCHW input is transposed once on entry, and a tensor is transposed back
// to NCHW only where its element order shows (Flatten, Reshape, the
// output). Whatever mlc cannot express exactly is an error naming the
// node and its op type.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_FRONTENDS_ONNX_ONNXIMPORT_H
#define MLC_FRONTENDS_ONNX_ONNXIMPORT_H

#include "frontends/Import/ImportedModel.h"

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlc::onnx {

/// Translates the ONNX model in `bytes`; `name` names the file in
/// messages and gives the model its name. On failure returns false and
/// sets `error`.
bool parseOnnxModel(const std::vector<uint8_t> &bytes, const std::string &name,
                    import::ImportedModel &out, std::string &error);

/// Whether the importer translates ONNX op `op` (of the default domain).
bool isImportedOp(llvm::StringRef op);

} // namespace mlc::onnx

#endif // MLC_FRONTENDS_ONNX_ONNXIMPORT_H
