//===- KerasImport.cpp - Keras models to mlc models -----------------------===//
//
// The translation works on the model's JSON config (Keras 3's config.json,
// Keras 2's model_config attribute): layers in order, each one's inputs
// from its inbound nodes (Functional) or the previous layer (Sequential),
// shapes inferred as Keras infers them, one mlc op per layer written as
// text. Weights are matched to the layers by name; Keras 3 stores a
// layer's variables by position (layers/NAME/vars/K) and the optimizer's
// in the order its build() creates them.
//
//===----------------------------------------------------------------------===//

#include "frontends/Keras/KerasImport.h"
#include "frontends/Import/ModelText.h"

#include "dialects/MLC/IR/MLCDialect.h"

#include "runtime/Zip.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <set>

using namespace mlc::keras;
namespace runtime = mlc::runtime;
using mlc::formatDouble;
using mlc::import::identifier;
using mlc::import::mlirString;
using mlc::import::typeText;
namespace json = llvm::json;
using llvm::StringRef;

namespace {

/// A value of the model being written: its SSA name and shape (-1: batch).
struct Tensor {
  std::string value;
  std::vector<int64_t> shape;
};

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string t = "(";
  for (size_t i = 0; i < shape.size(); ++i)
    t += (i ? ", " : "") +
         (shape[i] < 0 ? std::string("None") : std::to_string(shape[i]));
  return t + (shape.size() == 1 ? ",)" : ")");
}

class Importer {
public:
  Importer(std::string path, KerasModel &out)
      : path(std::move(path)), out(out) {}

  bool run(std::vector<uint8_t> bytes, std::string &error);

private:
  // Reading the file.
  bool readKeras3(const std::vector<uint8_t> &bytes);
  bool readKeras2(const std::vector<uint8_t> &bytes);
  // The graph.
  bool translate(const json::Object &model);
  bool layer(const json::Object &layer, const std::vector<Tensor> &inputs,
             Tensor &result);
  bool compileConfig(const json::Value *optimizer);
  // Weights.
  bool readLayerWeights();
  bool readOptimizerState();

  bool fail(const std::string &why) {
    error = path + ": " + why;
    return false;
  }
  /// An error located at a layer: its name and class.
  bool layerFail(const std::string &why) {
    return fail("layer '" + current.name + "' (" + current.cls + ", " +
                current.where + "): " + why);
  }

  std::string path, error;
  KerasModel &out;
  bool keras3 = false;
  HDF5File h5;
  std::vector<uint8_t> image;     ///< the HDF5 file libhdf5 reads in place
  json::Value config = nullptr;   ///< the model's config
  json::Value training = nullptr; ///< Keras 2's training_config

  /// The layer being translated, for messages.
  struct Current {
    std::string name, cls, where;
  } current;
  std::string body;                     ///< the ops
  std::map<std::string, Tensor> values; ///< layer name -> its output
  std::set<std::string> valueNames;     ///< SSA names in use
  int64_t inputCount = 0;
  std::string attributes;    ///< loss, optimizer
  std::string optimizerKind; ///< adam, adamw, sgd, rmsprop
  double sgdMomentum = 0, rmsMomentum = 0;
  bool rmsCentered = false;

  /// A layer whose weights the model holds: its name, Keras class and the
  /// names of its variables in Keras's order, trainable or not.
  struct WeightedLayer {
    std::string name, cls;
    std::string group; ///< Keras 3: its group in model.weights.h5
    std::vector<std::string> vars;
    std::vector<bool> trainable;
  };
  std::vector<WeightedLayer> weighted;
  /// Keras 3 names a layer's weights group after its class, numbered in
  /// the order of model.layers (a Sequential's lists no InputLayer).
  std::map<std::string, int> groupCounts;
  std::string lastGroup;
};

const json::Object *object(const json::Value *v) {
  return v ? v->getAsObject() : nullptr;
}

/// A Keras config value that may be a plain name or a serialized object
/// ({"class_name": ..., "config": ...}): its name.
std::string nameOf(const json::Value *v) {
  if (!v)
    return "";
  if (auto s = v->getAsString())
    return s->str();
  if (const json::Object *o = v->getAsObject())
    if (auto cls = o->getString("class_name"))
      return cls->str();
  return "";
}

/// An integer list ([3, 3]) or a single integer (3 -> [3, 3]).
bool pair(const json::Object &c, StringRef key, std::vector<int64_t> &out,
          std::vector<int64_t> fallback) {
  const json::Value *v = c.get(key);
  if (!v || v->getAsNull()) {
    out = std::move(fallback);
    return !out.empty();
  }
  out.clear();
  if (auto n = v->getAsInteger()) {
    out = {*n, *n};
    return *n > 0;
  }
  const json::Array *a = v->getAsArray();
  if (!a || a->size() != 2)
    return false;
  for (const json::Value &e : *a) {
    auto n = e.getAsInteger();
    if (!n || *n <= 0)
      return false;
    out.push_back(*n);
  }
  return true;
}

/// A shape list with null for unknown sizes ([null, 28, 28]).
bool shapeList(const json::Value *v, std::vector<int64_t> &out) {
  const json::Array *a = v ? v->getAsArray() : nullptr;
  if (!a || a->empty())
    return false;
  out.clear();
  for (const json::Value &e : *a) {
    if (e.getAsNull())
      out.push_back(-1);
    else if (auto n = e.getAsInteger(); n && *n > 0)
      out.push_back(*n);
    else
      return false;
  }
  return true;
}

/// Keras's naming.to_snake_case: "DepthwiseConv2D" -> "depthwise_conv2d",
/// "ReLU" -> "re_lu".
std::string snakeCase(StringRef cls) {
  std::string s;
  for (char c : cls)
    if (std::isalnum((unsigned char)c) || c == '_')
      s += c;
  auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
  // (.)([A-Z][a-z]+) -> \1_\2, then ([a-z])([A-Z]) -> \1_\2.
  std::string a;
  for (size_t p = 0; p < s.size();) {
    if (p + 2 < s.size() && upper(s[p + 1]) && lower(s[p + 2])) {
      a += s[p];
      a += '_';
      size_t q = p + 1;
      a += s[q++];
      while (q < s.size() && lower(s[q]))
        a += s[q++];
      p = q;
      continue;
    }
    a += s[p++];
  }
  std::string b;
  for (size_t p = 0; p < a.size();) {
    if (p + 1 < a.size() && lower(a[p]) && upper(a[p + 1])) {
      b += a[p];
      b += '_';
      b += a[p + 1];
      p += 2;
      continue;
    }
    b += a[p++];
  }
  for (char &c : b)
    c = char(std::tolower((unsigned char)c));
  return b;
}

int64_t convSize(int64_t in, int64_t k, int64_t stride, int64_t dilation,
                 bool same) {
  if (same)
    return (in + stride - 1) / stride;
  int64_t span = dilation * (k - 1) + 1;
  return in < span ? 0 : (in - span) / stride + 1;
}

bool Importer::run(std::vector<uint8_t> bytes, std::string &err) {
  static const uint8_t hdf5Magic[8] = {0x89, 'H',  'D',  'F',
                                       '\r', '\n', 0x1a, '\n'};
  bool ok;
  if (bytes.size() >= 4 && bytes[0] == 'P' && bytes[1] == 'K') {
    keras3 = true;
    ok = readKeras3(bytes);
  } else if (bytes.size() >= 8 &&
             std::equal(hdf5Magic, hdf5Magic + 8, bytes.begin())) {
    image = std::move(bytes);
    ok = readKeras2(image);
  } else {
    ok = fail("neither a Keras 3 .keras archive (zip) nor a Keras 2 .h5 "
              "model (HDF5)");
  }
  if (!ok)
    err = error;
  return ok;
}

bool Importer::readKeras3(const std::vector<uint8_t> &bytes) {
  out.format = "Keras 3 .keras";
  std::vector<runtime::ZipMember> members;
  std::string why;
  if (!runtime::listZip(bytes.data(), bytes.size(), "a .keras archive", members,
                        why))
    return fail(why);
  std::map<std::string, const runtime::ZipMember *> byName;
  for (const runtime::ZipMember &m : members)
    byName[m.name] = &m;
  for (const char *needed : {"config.json", "model.weights.h5"})
    if (!byName.count(needed))
      return fail(std::string("the archive has no ") + needed +
                  " (a .keras file holds config.json, metadata.json and "
                  "model.weights.h5)");
  auto extract = [&](const char *name, std::vector<uint8_t> &into) {
    std::vector<uint8_t> inflated;
    const uint8_t *data = nullptr;
    if (!runtime::extractZip(bytes.data(), bytes.size(), *byName[name],
                             inflated, data, why))
      return fail(why);
    into.assign(data, data + byName[name]->uncompressed);
    return true;
  };
  std::vector<uint8_t> configBytes;
  if (!extract("config.json", configBytes) ||
      !extract("model.weights.h5", image))
    return false;
  if (byName.count("metadata.json")) {
    std::vector<uint8_t> meta;
    if (!extract("metadata.json", meta))
      return false;
    if (auto v = json::parse(StringRef((const char *)meta.data(), meta.size())))
      if (const json::Object *o = v->getAsObject())
        if (auto version = o->getString("keras_version"))
          out.version = "Keras " + version->str();
  }
  auto parsed = json::parse(
      StringRef((const char *)configBytes.data(), configBytes.size()));
  if (!parsed)
    return fail("config.json is not JSON: " +
                llvm::toString(parsed.takeError()));
  config = std::move(*parsed);
  if (!h5.openImage(image, path + ": model.weights.h5", why))
    return fail(why.substr(path.size() + 2));
  const json::Object *model = config.getAsObject();
  if (!model)
    return fail("config.json does not hold a model");
  return translate(*model);
}

bool Importer::readKeras2(const std::vector<uint8_t> &bytes) {
  out.format = "Keras 2 .h5";
  std::string why;
  if (!h5.openImage(bytes, path, why)) {
    error = why;
    return false;
  }
  std::optional<std::string> text = h5.stringAttribute("/", "model_config");
  if (!text)
    return fail("an HDF5 file without a model_config attribute (a weights "
                "file, not a saved model: save it with model.save())");
  if (auto version = h5.stringAttribute("/", "keras_version"))
    out.version = "Keras " + *version;
  auto parsed = json::parse(*text);
  if (!parsed)
    return fail("model_config is not JSON: " +
                llvm::toString(parsed.takeError()));
  config = std::move(*parsed);
  if (auto t = h5.stringAttribute("/", "training_config")) {
    auto tc = json::parse(*t);
    if (!tc)
      return fail("training_config is not JSON: " +
                  llvm::toString(tc.takeError()));
    training = std::move(*tc);
  }
  const json::Object *model = config.getAsObject();
  if (!model)
    return fail("model_config does not hold a model");
  return translate(*model);
}

bool Importer::translate(const json::Object &model) {
  std::string cls = nameOf(model.get("class_name"));
  const json::Object *c = object(model.get("config"));
  if (!c)
    return fail("the model config has no 'config'");
  bool sequential = cls == "Sequential";
  if (!sequential && cls != "Functional" && cls != "Model")
    return fail("the model is a " + (cls.empty() ? "?" : cls) +
                "; mlc imports Sequential and Functional models (a "
                "subclassed model has no config to read)");
  std::string name = c->getString("name").value_or("model").str();
  out.modelName = identifier(name, "m_");
  const json::Array *layers = c->getArray("layers");
  if (!layers)
    return fail("the model config lists no layers");

  std::vector<Tensor> previous;
  for (size_t i = 0; i < layers->size(); ++i) {
    const json::Object *l = (*layers)[i].getAsObject();
    const json::Object *lc = l ? object(l->get("config")) : nullptr;
    if (!lc)
      return fail("layers[" + std::to_string(i) + "] is not a layer config");
    current.cls = nameOf(l->get("class_name"));
    current.name = lc->getString("name").value_or("").str();
    if (current.name.empty())
      current.name = "layer_" + std::to_string(i);
    current.where = "layers[" + std::to_string(i) + "] of the config";
    if (values.count(current.name))
      return layerFail("a second layer of this name");

    std::vector<Tensor> inputs;
    if (sequential) {
      inputs = previous;
      if (inputs.empty() && current.cls != "InputLayer") {
        // Keras 2 puts the input shape on the first layer; Keras 3 on the
        // model's build_input_shape.
        std::vector<int64_t> shape;
        if (!shapeList(lc->get("batch_input_shape"), shape) &&
            !shapeList(c->get("build_input_shape"), shape))
          return layerFail("the model's input shape is unknown (build the "
                           "model, or start it with keras.Input, before "
                           "saving)");
        Tensor t{"%input", shape};
        t.shape[0] = -1;
        for (size_t d = 1; d < shape.size(); ++d)
          if (shape[d] < 0)
            return layerFail("has an unknown size in its input shape; mlc "
                             "needs every size but the batch");
        ++inputCount;
        valueNames.insert("input");
        body += "  %input = mlc.input \"input\" : " + typeText(t.shape) + "\n";
        inputs = {t};
      }
    } else {
      // Functional: inbound nodes name the producing layers.
      const json::Array *nodes = l->getArray("inbound_nodes");
      if (current.cls != "InputLayer") {
        if (!nodes || nodes->size() != 1)
          return layerFail(
              "called " + std::to_string(nodes ? nodes->size() : 0) +
              " times in the graph; mlc imports layers called once (shared "
              "layers are not supported)");
        std::vector<std::string> sources;
        std::function<void(const json::Value &)> collect =
            [&](const json::Value &v) {
              if (const json::Object *o = v.getAsObject()) {
                // Keras 3: {"class_name": "__keras_tensor__", "config":
                // {"keras_history": [name, node, index]}}.
                if (const json::Object *tc = object(o->get("config")))
                  if (const json::Array *h = tc->getArray("keras_history"))
                    if (!h->empty())
                      if (auto n = (*h)[0].getAsString())
                        sources.push_back(n->str());
                if (const json::Value *args = o->get("args"))
                  collect(*args);
                return;
              }
              if (const json::Array *a = v.getAsArray()) {
                // Keras 2: [name, node, index, kwargs].
                if (a->size() >= 3 && (*a)[0].getAsString() &&
                    (*a)[1].getAsInteger()) {
                  sources.push_back((*a)[0].getAsString()->str());
                  return;
                }
                for (const json::Value &e : *a)
                  collect(e);
              }
            };
        collect((*nodes)[0]);
        for (const std::string &s : sources) {
          auto it = values.find(s);
          if (it == values.end())
            return layerFail("its input '" + s +
                             "' is no layer before it in the config");
          inputs.push_back(it->second);
        }
      }
    }
    if (!sequential || current.cls != "InputLayer") {
      std::string base = snakeCase(current.cls);
      auto [it, fresh] = groupCounts.try_emplace(base, 0);
      lastGroup = fresh ? base : base + "_" + std::to_string(++it->second);
    }
    Tensor result;
    if (!layer(*l, inputs, result))
      return false;
    values[current.name] = result;
    previous = {result};
  }

  // The outputs.
  Tensor output = previous.front();
  if (!sequential) {
    const json::Array *outs = c->getArray("output_layers");
    std::vector<std::string> names;
    if (outs) {
      // [["dense", 0, 0]] (or one such list unwrapped).
      if (!outs->empty() && (*outs)[0].getAsString())
        names.push_back((*outs)[0].getAsString()->str());
      else
        for (const json::Value &o : *outs)
          if (const json::Array *a = o.getAsArray(); a && !a->empty())
            if (auto n = (*a)[0].getAsString())
              names.push_back(n->str());
    }
    if (names.size() != 1)
      return fail("the model has " + std::to_string(names.size()) +
                  " outputs; mlc models have one");
    if (!values.count(names[0]))
      return fail("the output layer '" + names[0] + "' is not in the model");
    output = values[names[0]];
  }
  if (inputCount != 1)
    return fail("the model has " + std::to_string(inputCount) +
                " inputs; mlc models have one");

  // compile(): Keras 3 keeps it in compile_config, Keras 2 in the
  // training_config attribute.
  const json::Value *loss = nullptr, *optimizer = nullptr;
  if (const json::Object *cc =
          object(config.getAsObject()->get("compile_config"))) {
    loss = cc->get("loss");
    optimizer = cc->get("optimizer");
  } else if (const json::Object *tc = training.getAsObject()) {
    loss = tc->get("loss");
    optimizer = tc->get("optimizer_config");
  }
  if (!compileConfig(optimizer))
    return false;
  if (loss) {
    std::string lossName = nameOf(loss);
    const json::Object *lossConfig =
        loss->getAsObject() ? object(loss->getAsObject()->get("config"))
                            : nullptr;
    static const std::map<std::string, std::string> kinds = {
        {"sparse_categorical_crossentropy", "sparse_categorical_crossentropy"},
        {"SparseCategoricalCrossentropy", "sparse_categorical_crossentropy"},
        {"categorical_crossentropy", "categorical_crossentropy"},
        {"CategoricalCrossentropy", "categorical_crossentropy"},
        {"binary_crossentropy", "binary_crossentropy"},
        {"BinaryCrossentropy", "binary_crossentropy"},
        {"mse", "mse"},
        {"mean_squared_error", "mse"},
        {"MeanSquaredError", "mse"}};
    auto kind = kinds.find(lossName);
    if (kind == kinds.end())
      return fail("compile()'s loss " + (lossName.empty() ? "?" : lossName) +
                  " is not one mlc has (mse, binary_crossentropy, "
                  "categorical_crossentropy, "
                  "sparse_categorical_crossentropy)");
    bool logits = false;
    if (lossConfig) {
      logits = lossConfig->getBoolean("from_logits").value_or(false);
      if (lossConfig->getNumber("label_smoothing").value_or(0) != 0)
        return fail("compile()'s loss uses label_smoothing, which mlc's " +
                    kind->second + " does not");
      if (auto r = lossConfig->getString("reduction");
          r && *r != "sum_over_batch_size" && *r != "auto")
        return fail("compile()'s loss reduces by " + r->str() +
                    "; mlc averages over the batch (sum_over_batch_size)");
      if (const json::Value *ignore = lossConfig->get("ignore_class");
          ignore && !ignore->getAsNull())
        return fail("compile()'s loss ignores a class, which mlc's does not");
    }
    attributes = "loss = #mlc.loss<" + kind->second +
                 (logits ? ", from_logits = true" : "") + ">" +
                 (attributes.empty() ? "" : ", " + attributes);
  }

  if (!readLayerWeights() || !readOptimizerState())
    return false;

  std::string text =
      "// Imported from " +
      mlc::import::commentText(
          llvm::sys::path::filename(path).str() + " (" + out.format +
          (out.version.empty() ? std::string() : ", " + out.version) + ")") +
      " by mlc import.\n";
  text += "mlc.model @" + out.modelName + " {\n" + body;
  text +=
      "  mlc.output " + output.value + " : " + typeText(output.shape) + "\n}";
  if (!attributes.empty())
    text += " {" + attributes + "}";
  out.mlir = text + "\n";
  return true;
}

bool Importer::compileConfig(const json::Value *opt) {
  if (!opt || opt->getAsNull())
    return true;
  std::string cls = nameOf(opt);
  StringRef name(cls);
  name.consume_front("Custom>");
  const json::Object *c =
      opt->getAsObject() ? object(opt->getAsObject()->get("config")) : nullptr;
  std::string lower = name.lower();
  auto number = [&](StringRef key, double fallback) {
    return c ? c->getNumber(key).value_or(fallback) : fallback;
  };
  auto optFail = [&](const std::string &why) {
    return fail("compile()'s optimizer " + name.str() + " " + why);
  };
  // Features mlc's optimizers do not have are refused, not dropped.
  if (c) {
    for (StringRef key : {"clipnorm", "clipvalue", "global_clipnorm",
                          "loss_scale_factor", "gradient_accumulation_steps"})
      if (const json::Value *v = c->get(key); v && !v->getAsNull())
        return optFail("sets " + key.str() + ", which mlc does not apply");
    if (c->getBoolean("use_ema").value_or(false))
      return optFail("keeps an exponential moving average (use_ema)");
    if (c->getBoolean("amsgrad").value_or(false))
      return optFail("uses AMSGrad, which mlc's Adam does not");
    if (number("decay", 0) != 0)
      return optFail("has a legacy decay, which mlc does not apply");
    if (const json::Value *lr = c->get("learning_rate");
        lr && lr->getAsObject())
      return optFail("has a learning-rate schedule (" + nameOf(lr) +
                     "); give it to mlc with --lr-schedule");
    if (lower != "adamw")
      if (const json::Value *wd = c->get("weight_decay");
          wd && !wd->getAsNull() && wd->getAsNumber().value_or(0) != 0)
        return optFail("sets weight_decay, which mlc applies in AdamW only");
  }
  double lr = number("learning_rate", lower == "sgd" ? 0.01 : 0.001);
  std::string text;
  if (lower == "adam" || lower == "adamw") {
    text = "#mlc." + lower + "<learning_rate = " + formatDouble(lr);
    if (lower == "adamw")
      text += ", weight_decay = " + formatDouble(number("weight_decay", 0.004));
    text += ", beta_1 = " + formatDouble(number("beta_1", 0.9)) +
            ", beta_2 = " + formatDouble(number("beta_2", 0.999)) +
            ", epsilon = " + formatDouble(number("epsilon", 1e-7)) + ">";
  } else if (lower == "sgd") {
    sgdMomentum = number("momentum", 0);
    text = "#mlc.sgd<learning_rate = " + formatDouble(lr) +
           ", momentum = " + formatDouble(sgdMomentum) + ", nesterov = " +
           (c && c->getBoolean("nesterov").value_or(false) ? "true" : "false") +
           ">";
  } else if (lower == "rmsprop") {
    rmsMomentum = number("momentum", 0);
    rmsCentered = c && c->getBoolean("centered").value_or(false);
    text = "#mlc.rmsprop<learning_rate = " + formatDouble(lr) +
           ", rho = " + formatDouble(number("rho", 0.9)) +
           ", momentum = " + formatDouble(rmsMomentum) +
           ", epsilon = " + formatDouble(number("epsilon", 1e-7)) +
           ", centered = " + (rmsCentered ? "true" : "false") + ">";
  } else {
    return fail("compile()'s optimizer " + (cls.empty() ? "?" : cls) +
                " is not one mlc has (SGD, Adam, AdamW, RMSprop)");
  }
  optimizerKind = lower;
  attributes += (attributes.empty() ? "" : ", ") + ("optimizer = " + text);
  return true;
}

bool Importer::layer(const json::Object &l, const std::vector<Tensor> &inputs,
                     Tensor &result) {
  const json::Object &c = *object(l.get("config"));
  const std::string &cls = current.cls;
  std::string id = identifier(current.name, "m_");
  while (valueNames.count(id))
    id += "_";
  valueNames.insert(id);
  result.value = "%" + id;

  if (const json::Value *dtype = c.get("dtype")) {
    std::string d;
    if (auto s = dtype->getAsString())
      d = s->str();
    else if (const json::Object *o = dtype->getAsObject())
      if (const json::Object *dc = object(o->get("config")))
        d = dc->getString("name").value_or("").str();
    if (!d.empty() && d != "float32")
      return layerFail("computes in " + d + "; mlc imports float32 models");
  }

  if (cls == "InputLayer") {
    std::vector<int64_t> shape;
    if (!shapeList(c.get("batch_shape"), shape) &&
        !shapeList(c.get("batch_input_shape"), shape))
      return layerFail("has no batch_shape");
    shape[0] = -1;
    for (size_t d = 1; d < shape.size(); ++d)
      if (shape[d] < 0)
        return layerFail("has an unknown size in " + shapeText(shape) +
                         "; mlc needs every size but the batch");
    result.shape = shape;
    ++inputCount;
    body += "  " + result.value + " = mlc.input " + mlirString(current.name) +
            " : " + typeText(shape) + "\n";
    return true;
  }

  if (inputs.size() != 1 && cls != "Add")
    return layerFail("takes " + std::to_string(inputs.size()) +
                     " inputs; mlc imports one-input layers (and Add)");
  const Tensor &in = inputs.front();
  const std::vector<int64_t> &s = in.shape;
  std::string inType = typeText(s);

  auto activation = [&](std::string &out) -> bool {
    std::string a = nameOf(c.get("activation"));
    if (a.empty() || a == "linear")
      return out.clear(), true;
    static const std::set<std::string> known = {"relu", "sigmoid", "tanh",
                                                "softmax", "log_softmax"};
    if (!known.count(a))
      return layerFail("uses the activation " + a +
                       ", which mlc does not have (relu, sigmoid, tanh, "
                       "softmax, log_softmax, linear)");
    out = a;
    return true;
  };
  auto emit = [&](const std::string &op, const std::string &attrs,
                  const std::vector<int64_t> &shape, bool shapeChanges) {
    result.shape = shape;
    body += "  " + result.value + " = " + op + " " + in.value +
            (attrs.empty() ? "" : " {" + attrs + "}") + " : " + inType +
            (shapeChanges ? " -> " + typeText(shape) : "") + "\n";
  };
  auto weights = [&](std::vector<std::string> vars,
                     std::vector<bool> trainable) {
    weighted.push_back(
        {current.name, cls, lastGroup, std::move(vars), std::move(trainable)});
  };
  bool useBias = c.getBoolean("use_bias").value_or(true);
  for (StringRef key :
       {"kernel_regularizer", "bias_regularizer", "activity_regularizer",
        "kernel_constraint", "bias_constraint", "beta_regularizer",
        "gamma_regularizer", "depthwise_regularizer"})
    if (const json::Value *v = c.get(key); v && !v->getAsNull())
      return layerFail("has a " + key.str() + ", which mlc does not apply");
  if (const json::Value *q = c.get("quantization_config"); q && !q->getAsNull())
    return layerFail("is quantized");
  if (auto df = c.getString("data_format"); df && *df != "channels_last")
    return layerFail("uses data_format " + df->str() +
                     "; mlc's layers are channels_last (NHWC)");

  if (cls == "Dense") {
    auto units = c.getInteger("units");
    if (!units || *units <= 0)
      return layerFail("has no positive units");
    if (s.size() != 2)
      return layerFail("is applied to a rank-" + std::to_string(s.size()) +
                       " input " + shapeText(s) +
                       "; mlc's dense takes (batch, features): flatten first");
    std::string act;
    if (!activation(act))
      return false;
    std::string attrs = "name = " + mlirString(current.name) +
                        ", units = " + std::to_string(*units);
    if (!act.empty())
      attrs += ", activation = #mlc.act<" + act + ">";
    if (!useBias)
      attrs += ", use_bias = false";
    emit("mlc.dense", attrs, {s[0], *units}, true);
    weights(useBias ? std::vector<std::string>{"kernel", "bias"}
                    : std::vector<std::string>{"kernel"},
            {true, true});
    return true;
  }
  if (cls == "Flatten") {
    int64_t n = 1;
    for (size_t d = 1; d < s.size(); ++d)
      n *= s[d];
    emit("mlc.flatten", "", {s[0], n}, true);
    return true;
  }
  if (cls == "Reshape") {
    const json::Array *t = c.getArray("target_shape");
    if (!t || t->empty())
      return layerFail("has no target_shape");
    int64_t rest = 1, known = 1;
    for (size_t d = 1; d < s.size(); ++d)
      rest *= s[d];
    std::vector<int64_t> shape = {s[0]};
    int unknown = -1;
    for (const json::Value &v : *t) {
      auto n = v.getAsInteger();
      if (!n || (*n <= 0 && *n != -1) || *n > (int64_t(1) << 40))
        return layerFail("has a target_shape that is not sizes (and one -1)");
      if (*n == -1) {
        if (unknown >= 0)
          return layerFail("has two -1 sizes in its target_shape");
        unknown = int(shape.size());
        shape.push_back(1);
        continue;
      }
      known *= *n;
      shape.push_back(*n);
      if (known > rest)
        break;
    }
    if (unknown >= 0 && known && rest % known == 0)
      shape[size_t(unknown)] = rest / known, known = rest;
    if (known != rest)
      return layerFail("reshapes " + shapeText(s) + " to " + shapeText(shape) +
                       ": the sizes differ");
    emit("mlc.reshape", "", shape, true);
    return true;
  }
  if (cls == "Dropout") {
    if (const json::Value *ns = c.get("noise_shape"); ns && !ns->getAsNull())
      return layerFail("has a noise_shape; mlc drops elements independently");
    double rate = c.getNumber("rate").value_or(-1);
    if (!(rate >= 0 && rate < 1))
      return layerFail("has no rate in [0, 1)");
    emit("mlc.dropout", "rate = " + formatDouble(rate), s, false);
    return true;
  }
  if (cls == "Activation" || cls == "ReLU" || cls == "Softmax") {
    std::string act;
    if (cls == "ReLU") {
      const json::Value *maxValue = c.get("max_value");
      if ((maxValue && !maxValue->getAsNull()) ||
          c.getNumber("negative_slope").value_or(0) != 0 ||
          c.getNumber("threshold").value_or(0) != 0)
        return layerFail("is a clipped or leaky ReLU, which mlc does not "
                         "have");
      act = "relu";
    } else if (cls == "Softmax") {
      const json::Value *axis = c.get("axis");
      auto a = axis ? axis->getAsInteger() : std::optional<int64_t>(-1);
      if (!a || (*a != -1 && *a != int64_t(s.size()) - 1))
        return layerFail("normalizes over another axis than the last");
      act = "softmax";
    } else if (!activation(act)) {
      return false;
    }
    if (act.empty()) {
      result = in; // linear: the layer is the identity
      return true;
    }
    emit("mlc." + act, "", s, false);
    return true;
  }
  if (cls == "Conv2D" || cls == "DepthwiseConv2D") {
    bool depthwise = cls == "DepthwiseConv2D";
    if (s.size() != 4)
      return layerFail("is applied to a rank-" + std::to_string(s.size()) +
                       " input; it takes (batch, height, width, channels)");
    std::vector<int64_t> k, strides, dilation;
    if (!pair(c, "kernel_size", k, {}) ||
        !pair(c, "strides", strides, {1, 1}) ||
        !pair(c, "dilation_rate", dilation, {1, 1}))
      return layerFail("has kernel_size, strides or dilation_rate that are "
                       "not positive pairs");
    std::string padding = c.getString("padding").value_or("valid").str();
    if (padding != "valid" && padding != "same")
      return layerFail("pads '" + padding + "' (valid and same are imported)");
    if (c.getInteger("groups").value_or(1) != 1)
      return layerFail("is a grouped convolution");
    std::string act;
    if (!activation(act))
      return false;
    int64_t channels;
    std::string attrs = "name = " + mlirString(current.name);
    if (depthwise) {
      int64_t mult = c.getInteger("depth_multiplier").value_or(1);
      channels = s[3] * mult;
      attrs += ", kernel_size = array<i64: " + std::to_string(k[0]) + ", " +
               std::to_string(k[1]) + ">";
      if (mult != 1)
        attrs += ", depth_multiplier = " + std::to_string(mult);
    } else {
      auto filters = c.getInteger("filters");
      if (!filters || *filters <= 0)
        return layerFail("has no positive filters");
      channels = *filters;
      attrs += ", filters = " + std::to_string(channels) +
               ", kernel_size = array<i64: " + std::to_string(k[0]) + ", " +
               std::to_string(k[1]) + ">";
    }
    if (strides != std::vector<int64_t>{1, 1})
      attrs += ", strides = array<i64: " + std::to_string(strides[0]) + ", " +
               std::to_string(strides[1]) + ">";
    if (padding == "same")
      attrs += ", padding = \"same\"";
    if (dilation != std::vector<int64_t>{1, 1})
      attrs += ", dilation_rate = array<i64: " + std::to_string(dilation[0]) +
               ", " + std::to_string(dilation[1]) + ">";
    if (!act.empty())
      attrs += ", activation = #mlc.act<" + act + ">";
    if (!useBias)
      attrs += ", use_bias = false";
    int64_t h =
        convSize(s[1], k[0], strides[0], dilation[0], padding == "same");
    int64_t w =
        convSize(s[2], k[1], strides[1], dilation[1], padding == "same");
    if (h <= 0 || w <= 0)
      return layerFail("leaves no output from the input " + shapeText(s));
    emit(depthwise ? "mlc.depthwise_conv2d" : "mlc.conv2d", attrs,
         {s[0], h, w, channels}, true);
    std::string kernel = depthwise ? "depthwise_kernel" : "kernel";
    weights(useBias ? std::vector<std::string>{kernel, "bias"}
                    : std::vector<std::string>{kernel},
            {true, true});
    return true;
  }
  if (cls == "MaxPooling2D" || cls == "AveragePooling2D") {
    if (s.size() != 4)
      return layerFail("is applied to a rank-" + std::to_string(s.size()) +
                       " input; it takes (batch, height, width, channels)");
    std::vector<int64_t> pool, strides;
    if (!pair(c, "pool_size", pool, {2, 2}))
      return layerFail("has a pool_size that is not a positive pair");
    if (!pair(c, "strides", strides, pool))
      return layerFail("has strides that are not a positive pair");
    std::string padding = c.getString("padding").value_or("valid").str();
    if (padding != "valid" && padding != "same")
      return layerFail("pads '" + padding + "'");
    std::string attrs = "pool_size = array<i64: " + std::to_string(pool[0]) +
                        ", " + std::to_string(pool[1]) + ">";
    if (strides != pool)
      attrs += ", strides = array<i64: " + std::to_string(strides[0]) + ", " +
               std::to_string(strides[1]) + ">";
    if (padding == "same")
      attrs += ", padding = \"same\"";
    int64_t h = convSize(s[1], pool[0], strides[0], 1, padding == "same");
    int64_t w = convSize(s[2], pool[1], strides[1], 1, padding == "same");
    if (h <= 0 || w <= 0)
      return layerFail("leaves no output from the input " + shapeText(s));
    emit(cls == "MaxPooling2D" ? "mlc.max_pool2d" : "mlc.avg_pool2d", attrs,
         {s[0], h, w, s[3]}, true);
    return true;
  }
  if (cls == "GlobalAveragePooling2D") {
    if (s.size() != 4)
      return layerFail("is applied to a rank-" + std::to_string(s.size()) +
                       " input; it takes (batch, height, width, channels)");
    bool keep = c.getBoolean("keepdims").value_or(false);
    emit("mlc.global_avg_pool2d", keep ? "keepdims" : "",
         keep ? std::vector<int64_t>{s[0], 1, 1, s[3]}
              : std::vector<int64_t>{s[0], s[3]},
         true);
    return true;
  }
  if (cls == "BatchNormalization") {
    const json::Value *axis = c.get("axis");
    std::optional<int64_t> a;
    if (axis && axis->getAsArray() && axis->getAsArray()->size() == 1)
      a = (*axis->getAsArray())[0].getAsInteger();
    else if (axis)
      a = axis->getAsInteger();
    if (!a || (*a != -1 && *a != int64_t(s.size()) - 1))
      return layerFail("normalizes another axis than the last (channels)");
    if (c.getBoolean("renorm").value_or(false) ||
        c.getBoolean("synchronized").value_or(false))
      return layerFail("uses batch renormalization or synchronization");
    bool center = c.getBoolean("center").value_or(true);
    bool scale = c.getBoolean("scale").value_or(true);
    std::string attrs =
        "name = " + mlirString(current.name) +
        ", momentum = " + formatDouble(c.getNumber("momentum").value_or(0.99)) +
        ", epsilon = " + formatDouble(c.getNumber("epsilon").value_or(1e-3));
    if (!center)
      attrs += ", center = false";
    if (!scale)
      attrs += ", scale = false";
    emit("mlc.batch_norm", attrs, s, false);
    std::vector<std::string> vars;
    std::vector<bool> trainable;
    if (scale)
      vars.push_back("gamma"), trainable.push_back(true);
    if (center)
      vars.push_back("beta"), trainable.push_back(true);
    vars.push_back("moving_mean"), trainable.push_back(false);
    vars.push_back("moving_variance"), trainable.push_back(false);
    weights(vars, trainable);
    return true;
  }
  if (cls == "Add") {
    if (inputs.size() != 2)
      return layerFail("adds " + std::to_string(inputs.size()) +
                       " tensors; mlc imports Add of two");
    if (inputs[0].shape != inputs[1].shape)
      return layerFail("adds tensors of shapes " + shapeText(inputs[0].shape) +
                       " and " + shapeText(inputs[1].shape));
    result.shape = s;
    body += "  " + result.value + " = mlc.add " + inputs[0].value + ", " +
            inputs[1].value + " : (" + inType + ", " + inType + ") -> " +
            inType + "\n";
    return true;
  }
  return layerFail("is not a layer mlc imports (InputLayer, Dense, Flatten, "
                   "Reshape, Dropout, Activation, ReLU, Softmax, Conv2D, "
                   "DepthwiseConv2D, MaxPooling2D, AveragePooling2D, "
                   "GlobalAveragePooling2D, BatchNormalization, Add)");
}

bool Importer::readLayerWeights() {
  std::string why;
  for (const WeightedLayer &w : weighted) {
    current.name = w.name;
    current.cls = w.cls;
    current.where = "its weights";
    std::vector<std::string> paths;
    if (keras3) {
      std::string group = "layers/" + w.group + "/vars";
      std::vector<std::string> members;
      if (!h5.list(group, members, why))
        return layerFail("model.weights.h5 has no " + group);
      if (members.size() != w.vars.size())
        return layerFail(
            "model.weights.h5 holds " + std::to_string(members.size()) +
            " variables for it; it has " + std::to_string(w.vars.size()));
      for (size_t k = 0; k < w.vars.size(); ++k)
        paths.push_back(group + "/" + std::to_string(k));
    } else {
      std::string group = "model_weights/" + w.name;
      std::vector<std::string> names;
      if (!h5.stringsAttribute(group, "weight_names", names, why))
        return layerFail("the file has no weights for it (" + group + ")");
      for (const std::string &var : w.vars) {
        std::string found;
        for (const std::string &n : names) {
          StringRef base = StringRef(n).rsplit('/').second;
          base.consume_back(":0");
          if (base == var)
            found = group + "/" + n;
        }
        if (found.empty())
          return layerFail("the file has no weight '" + var + "' for it");
        paths.push_back(found);
      }
    }
    for (size_t k = 0; k < w.vars.size(); ++k) {
      HDF5Array a;
      if (!h5.readFloats(paths[k], a, why))
        return fail(why.substr(why.find(": ") + 2));
      out.params[w.name + "." + w.vars[k]] = std::move(a);
    }
  }
  return true;
}

bool Importer::readOptimizerState() {
  if (optimizerKind.empty())
    return true;
  // mlc's slot names, per Keras slot name.
  std::vector<std::pair<std::string, std::string>> slots; // keras, mlc
  if (optimizerKind == "adam" || optimizerKind == "adamw")
    slots = {{"momentum", "m"}, {"velocity", "v"}};
  else if (optimizerKind == "sgd" && sgdMomentum > 0)
    slots = {{"momentum", "momentum"}};
  else if (optimizerKind == "rmsprop") {
    slots = {{"velocity", "velocity"}};
    if (rmsMomentum > 0)
      slots.push_back({"momentum", "momentum"});
    if (rmsCentered)
      slots.push_back({"average_gradient", "average_gradient"});
  }
  std::vector<std::string> trainable;
  for (const WeightedLayer &w : weighted)
    for (size_t k = 0; k < w.vars.size(); ++k)
      if (w.trainable[k])
        trainable.push_back(w.name + "." + w.vars[k]);
  std::string why;
  auto note = [&](const std::string &what) {
    out.notes.push_back("the optimizer state was not imported (" + what +
                        "): training continues with fresh slots");
    out.states.clear();
    return true;
  };
  if (keras3) {
    if (!h5.exists("optimizer/vars"))
      return note("the file has none");
    std::vector<std::string> members;
    if (!h5.list("optimizer/vars", members, why))
      return note(why);
    size_t expected = 2 + slots.size() * trainable.size();
    if (members.size() == 2)
      return true; // built, never stepped: mlc starts fresh just the same
    if (members.size() != expected)
      return note("model.weights.h5 holds " + std::to_string(members.size()) +
                  " optimizer variables, where " + std::to_string(expected) +
                  " were expected");
    if (!h5.readInt("optimizer/vars/0", out.iterations, why))
      return note(why);
    // Adam and AdamW create their slots per variable (momentum, velocity);
    // SGD and RMSprop slot by slot over all variables.
    bool interleaved = optimizerKind == "adam" || optimizerKind == "adamw";
    size_t next = 2;
    for (size_t a = 0; a < (interleaved ? trainable.size() : slots.size()); ++a)
      for (size_t b = 0; b < (interleaved ? slots.size() : trainable.size());
           ++b) {
        const std::string &param = trainable[interleaved ? a : b];
        const std::string &slot = slots[interleaved ? b : a].second;
        HDF5Array arr;
        if (!h5.readFloats("optimizer/vars/" + std::to_string(next++), arr,
                           why))
          return note(why);
        if (arr.shape != out.params[param].shape)
          return note("its shapes do not follow the layers'");
        out.states[param + "." + slot] = std::move(arr);
      }
  } else {
    std::vector<std::string> names;
    if (!h5.exists("optimizer_weights") ||
        !h5.stringsAttribute("optimizer_weights", "weight_names", names, why))
      return note("the file has none");
    std::map<std::string, std::string> kerasToMlc;
    for (auto &[keras, mlc] : slots)
      kerasToMlc[keras] = mlc;
    // Adam's Keras 2 names are m and v; SGD's momentum is m.
    if (optimizerKind == "adam" || optimizerKind == "adamw")
      kerasToMlc = {{"m", "m"}, {"v", "v"}};
    else if (optimizerKind == "sgd")
      kerasToMlc = {{"m", "momentum"}, {"momentum", "momentum"}};
    for (const std::string &n : names) {
      StringRef rest(n);
      rest.consume_back(":0");
      if (rest == "iteration" || rest.ends_with("/iter") ||
          rest.ends_with("iterations")) {
        if (!h5.readInt("optimizer_weights/" + n, out.iterations, why))
          return note(why);
        continue;
      }
      // OPTIMIZER/SLOT/LAYER/VAR (tf_keras 2.11+).
      llvm::SmallVector<StringRef> parts;
      rest.split(parts, '/');
      if (parts.size() != 4 || !kerasToMlc.count(parts[1].str()))
        return note("unknown optimizer weight '" + n + "'");
      std::string param = (parts[2] + "." + parts[3]).str();
      if (!out.params.count(param))
        return note("weight '" + n + "' belongs to no layer");
      HDF5Array arr;
      if (!h5.readFloats("optimizer_weights/" + n, arr, why))
        return note(why);
      out.states[param + "." + kerasToMlc[parts[1].str()]] = std::move(arr);
    }
    if (out.states.size() != slots.size() * trainable.size())
      return note(
          "it has " + std::to_string(out.states.size()) + " slots where " +
          std::to_string(slots.size() * trainable.size()) + " were expected");
  }
  out.hasOptimizerState = !slots.empty() || out.iterations > 0;
  return true;
}

} // namespace

bool mlc::keras::parseKerasModel(std::vector<uint8_t> bytes,
                                 const std::string &name, KerasModel &out,
                                 std::string &error) {
  out = KerasModel();
  Importer importer(name, out);
  return importer.run(std::move(bytes), error);
}
