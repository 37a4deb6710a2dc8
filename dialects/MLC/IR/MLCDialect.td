//===- MLCDialect.td - The mlc dialect ---------------------*- tablegen -*-===//
//
// The mlc dialect describes a neural-network model: its inputs, named
// parameters, a graph of tensor ops, and the loss and optimizer used to train
// it.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_DIALECT_TD
#define MLC_DIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def MLC_Dialect : Dialect {
  let name = "mlc";
  let cppNamespace = "::mlc";
  let summary = "Neural-network models for the mlc training compiler";
  let description = [{
    The `mlc` dialect is the input language of mlc. A model is an `mlc.model`
    op: a symbol table that holds the named inputs (`mlc.input`), the trained
    parameters (`mlc.param`, each with a static type and an initializer), and
    a graph of tensor ops ending in `mlc.output`. The model's loss and
    optimizer are attributes of the model op.

    Conventions chosen so that later layers fit:

    * Tensors are ranked. Inputs may have dynamic dimensions: the leading
      one is the batch, later ones (a sequence length) follow it. Dynamic
      dimensions at the same position of the entry points' buffers have one
      size per call. Parameters are fully static.
    * Images are NHWC (batch, height, width, channels), the Keras default.
      Convolution kernels are HWIO (height, width, in, out). Dense kernels
      are (in, out), so `dense(x) = x · kernel + bias`.
    * Axes are integers in `[-rank, rank)`; negative axes count from the end.
    * Elementwise binary ops broadcast with NumPy rules (shapes aligned on
      the right; a dimension of size 1 stretches).
    * Layer ops (`mlc.dense`, `mlc.flatten`, ...) are sugar:
      `mlc-materialize-params` turns them into core ops and `mlc.param`
      symbols named after the layer (`dense.kernel`, `dense.bias`).
  }];
  let useDefaultAttributePrinterParser = 1;
  let hasConstantMaterializer = 1;
  let extraClassDeclaration = [{
    void registerAttributes();
  }];
}

class MLC_Op<string mnemonic, list<Trait> traits = []>
    : Op<MLC_Dialect, mnemonic, traits>;

class MLC_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<MLC_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

#endif // MLC_DIALECT_TD
