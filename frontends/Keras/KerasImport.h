//===- KerasImport.h - Keras models to mlc models ---------------*- C++ -*-===//
//
// Reads a Keras model file — a Keras 3 `.keras` archive (config.json and
// model.weights.h5) or a Keras 2 full-model `.h5` (model_config and
// training_config attributes, model_weights and optimizer_weights groups)
// — and writes the same model in the mlc dialect: one layer op per Keras
// layer, named as Keras names it (so params are `dense.kernel`, ...), the
// compiled loss and optimizer as the model's attributes. The weights (and
// the optimizer's slots and step count, when the file has them) become a
// safetensors checkpoint that `mlc train --resume`, `mlc eval`, `mlc
// predict` and model libraries load. Whatever mlc cannot express exactly is
// an error naming the layer and its class.
//
//===----------------------------------------------------------------------===//

#ifndef MLC_FRONTENDS_KERAS_KERASIMPORT_H
#define MLC_FRONTENDS_KERAS_KERASIMPORT_H

#include "frontends/Keras/HDF5File.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mlc::keras {

/// A Keras model read and translated (format "Keras 3 .keras" or "Keras 2
/// .h5", version the Keras version the file records).
using KerasModel = import::ImportedModel;

/// Translates the Keras model file in `bytes` (a .keras archive or a
/// Keras 2 .h5); `name` names it in messages. On failure returns false and
/// sets `error` to a message naming the file and, for a layer, its name
/// and class.
bool parseKerasModel(std::vector<uint8_t> bytes, const std::string &name,
                     KerasModel &out, std::string &error);

} // namespace mlc::keras

#endif // MLC_FRONTENDS_KERAS_KERASIMPORT_H
