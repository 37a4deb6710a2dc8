//===- Reference.cpp - a plain evaluator of mlc graphs --------------------===//
//
// Naive loops in double precision. Written from the ops' definitions, not
// from the lowering: a shared mistake would hide a bug.
//
//===----------------------------------------------------------------------===//

#include "Reference.h"

#include "dialects/MLC/IR/MLCDialect.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>

using namespace mlir;
using namespace mlc::difftest;

namespace {

using Shape = std::vector<int64_t>;

int64_t numel(const Shape &s) {
  int64_t n = 1;
  for (int64_t d : s)
    n *= d;
  return n;
}

Shape stridesOf(const Shape &s) {
  Shape st(s.size(), 1);
  for (size_t k = s.size(); k-- > 1;)
    st[k - 1] = st[k] * s[k];
  return st;
}

void unravel(int64_t lin, const Shape &shape, Shape &idx) {
  idx.resize(shape.size());
  for (size_t k = shape.size(); k-- > 0;) {
    idx[k] = lin % shape[k];
    lin /= shape[k];
  }
}

/// The linear offset of index `idx` with row-major strides `st`.
int64_t linearOffset(const Shape &idx, const Shape &st) {
  int64_t off = 0;
  for (size_t k = 0; k < idx.size(); ++k)
    off += idx[k] * st[k];
  return off;
}

std::string shapeStr(const Shape &s) {
  std::string r = "[";
  for (size_t k = 0; k < s.size(); ++k)
    r += (k ? ", " : "") + std::to_string(s[k]);
  return r + "]";
}

/// log(sum_j exp(z_j)) of n logits, with the maximum taken out.
double logSumExp(const double *z, int64_t n) {
  double m = -std::numeric_limits<double>::infinity(), sum = 0;
  for (int64_t j = 0; j < n; ++j)
    m = std::max(m, z[j]);
  for (int64_t j = 0; j < n; ++j)
    sum += std::exp(z[j] - m);
  return m + std::log(sum);
}

// Keras's backend epsilon: probabilities are clipped to [eps, 1 - eps].
constexpr double kEpsilon = 1e-7;

class Evaluator {
public:
  Evaluation result;
  llvm::DenseMap<Value, HostTensor> values;
  const std::map<std::string, HostTensor> &leaves;

  explicit Evaluator(const std::map<std::string, HostTensor> &leaves)
      : leaves(leaves) {}

  bool fail(Operation *op, const std::string &why) {
    if (result.error.empty())
      result.error = op->getName().getStringRef().str() + ": " + why;
    return false;
  }
  void kink(double distance) {
    result.kink = std::min(result.kink, std::abs(distance));
  }
  const HostTensor &in(Operation *op, unsigned i) {
    return values[op->getOperand(i)];
  }

  HostTensor map(const HostTensor &a, const std::function<double(double)> &f) {
    HostTensor r{a.shape, a.data};
    for (double &v : r.data)
      v = f(v);
    return r;
  }

  bool broadcastShape(Operation *op, const Shape &a, const Shape &b, Shape &r) {
    size_t rank = std::max(a.size(), b.size());
    r.assign(rank, 1);
    for (size_t i = 0; i < rank; ++i) {
      int64_t da = i < a.size() ? a[a.size() - 1 - i] : 1;
      int64_t db = i < b.size() ? b[b.size() - 1 - i] : 1;
      if (da != db && da != 1 && db != 1)
        return fail(op, "shapes " + shapeStr(a) + " and " + shapeStr(b) +
                            " do not broadcast");
      r[rank - 1 - i] = da == 1 ? db : da;
    }
    return true;
  }

  /// Offset into a tensor of `shape` (right-aligned, size-1 dimensions
  /// broadcast) of the result element at `idx`.
  static int64_t broadcastOffset(const Shape &shape, const Shape &idx) {
    int64_t off = 0, stride = 1;
    for (size_t i = 0; i < shape.size(); ++i) {
      size_t k = shape.size() - 1 - i;
      int64_t j = idx[idx.size() - 1 - i];
      if (shape[k] != 1)
        off += j * stride;
      stride *= shape[k];
    }
    return off;
  }

  bool binary(Operation *op, const std::function<double(double, double)> &f) {
    const HostTensor &a = in(op, 0), &b = in(op, 1);
    HostTensor r;
    if (!broadcastShape(op, a.shape, b.shape, r.shape))
      return false;
    r.data.resize(numel(r.shape));
    Shape idx;
    for (int64_t i = 0; i < int64_t(r.data.size()); ++i) {
      unravel(i, r.shape, idx);
      r.data[i] = f(a.data[broadcastOffset(a.shape, idx)],
                    b.data[broadcastOffset(b.shape, idx)]);
    }
    values[op->getResult(0)] = std::move(r);
    return true;
  }

  bool reduce(Operation *op, llvm::ArrayRef<int64_t> axesAttr, bool keep,
              int kind /*0 sum, 1 mean, 2 max*/) {
    const HostTensor &a = in(op, 0);
    int64_t rank = int64_t(a.shape.size());
    std::vector<bool> reduced(rank, axesAttr.empty());
    for (int64_t axis : axesAttr)
      reduced[axis < 0 ? axis + rank : axis] = true;
    HostTensor r;
    int64_t count = 1;
    for (int64_t k = 0; k < rank; ++k) {
      if (reduced[k])
        count *= a.shape[k];
      if (!reduced[k])
        r.shape.push_back(a.shape[k]);
      else if (keep)
        r.shape.push_back(1);
    }
    int64_t n = numel(r.shape);
    double init = kind == 2 ? -std::numeric_limits<double>::infinity() : 0;
    r.data.assign(n, init);
    std::vector<double> second(n, init);
    Shape idx;
    for (int64_t i = 0; i < int64_t(a.data.size()); ++i) {
      unravel(i, a.shape, idx);
      int64_t o = 0;
      for (int64_t k = 0; k < rank; ++k)
        if (!reduced[k])
          o = o * a.shape[k] + idx[k];
      double v = a.data[i];
      if (kind == 2) {
        if (v > r.data[o]) {
          second[o] = r.data[o];
          r.data[o] = v;
        } else if (v > second[o]) {
          second[o] = v;
        }
      } else {
        r.data[o] += v;
      }
    }
    if (kind == 1)
      for (double &v : r.data)
        v /= double(count);
    if (kind == 2 && count > 1)
      for (int64_t o = 0; o < n; ++o)
        kink(r.data[o] - second[o]);
    values[op->getResult(0)] = std::move(r);
    return true;
  }

  /// Calls f(offsets) for each line along `axis`.
  static void forEachLine(const Shape &shape, int64_t axis,
                          const std::function<void(int64_t, int64_t)> &f) {
    int64_t inner = 1;
    for (size_t k = axis + 1; k < shape.size(); ++k)
      inner *= shape[k];
    int64_t outer = numel(shape) / (shape[axis] * inner);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i)
        f(o * shape[axis] * inner + i, inner);
  }

  bool softmax(Operation *op, int64_t axis, bool log) {
    const HostTensor &a = in(op, 0);
    int64_t rank = int64_t(a.shape.size());
    if (axis < 0)
      axis += rank;
    HostTensor r{a.shape, a.data};
    int64_t len = a.shape[axis];
    forEachLine(a.shape, axis, [&](int64_t base, int64_t stride) {
      double m = -std::numeric_limits<double>::infinity();
      for (int64_t j = 0; j < len; ++j)
        m = std::max(m, a.data[base + j * stride]);
      double sum = 0;
      for (int64_t j = 0; j < len; ++j)
        sum += std::exp(a.data[base + j * stride] - m);
      for (int64_t j = 0; j < len; ++j) {
        double x = a.data[base + j * stride] - m;
        r.data[base + j * stride] = log ? x - std::log(sum) : std::exp(x) / sum;
      }
    });
    values[op->getResult(0)] = std::move(r);
    return true;
  }

  /// The result shape of `op` with dynamic sizes from `dynamic`.
  bool resultShape(Operation *op, const Shape &inputShape, Shape &r) {
    auto type = llvm::cast<RankedTensorType>(op->getResult(0).getType());
    auto inType = llvm::cast<RankedTensorType>(op->getOperand(0).getType());
    r.assign(type.getShape().begin(), type.getShape().end());
    if (type.getNumDynamicDims() > 1) {
      // Only size-1 dimensions come or go: dynamic sizes keep their order.
      std::vector<int64_t> sizes;
      for (int64_t k = 0; k < inType.getRank(); ++k)
        if (inType.isDynamicDim(k))
          sizes.push_back(inputShape[k]);
      size_t next = 0;
      for (int64_t &d : r)
        if (ShapedType::isDynamic(d)) {
          if (next == sizes.size())
            return fail(op, "more dynamic result dimensions than input ones");
          d = sizes[next++];
        }
      return true;
    }
    int64_t staticProduct = 1, dynamicAt = -1;
    for (size_t k = 0; k < r.size(); ++k) {
      if (ShapedType::isDynamic(r[k])) {
        dynamicAt = int64_t(k);
      } else {
        staticProduct *= r[k];
      }
    }
    if (dynamicAt >= 0)
      r[dynamicAt] = staticProduct ? numel(inputShape) / staticProduct : 0;
    if (numel(r) != numel(inputShape))
      return fail(op, "reshape of " + shapeStr(inputShape) + " to " +
                          shapeStr(r) + " changes the element count");
    return true;
  }

  /// NHWC windows: conv (kernel HWIO) when `kernel` is set, else max or
  /// average pooling over the in-bounds elements of each window; with
  /// `depthwise`, the kernel is [kh, kw, C, M] and output channel c*M+m
  /// convolves channel c with filter m.
  bool window(Operation *op, const HostTensor *kernel, int64_t kh, int64_t kw,
              llvm::ArrayRef<int64_t> strides, llvm::ArrayRef<int64_t> dil,
              llvm::ArrayRef<int64_t> pads, bool max, bool depthwise = false) {
    const HostTensor &x = in(op, 0);
    int64_t n = x.shape[0], h = x.shape[1], w = x.shape[2], c = x.shape[3];
    int64_t oh =
        (h + pads[0] + pads[1] - (kh - 1) * dil[0] - 1) / strides[0] + 1;
    int64_t ow =
        (w + pads[2] + pads[3] - (kw - 1) * dil[1] - 1) / strides[1] + 1;
    int64_t co =
        kernel ? (depthwise ? c * kernel->shape[3] : kernel->shape[3]) : c;
    HostTensor r;
    r.shape = {n, oh, ow, co};
    r.data.assign(numel(r.shape), 0.0);
    for (int64_t b = 0; b < n; ++b)
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j)
          for (int64_t o = 0; o < co; ++o) {
            double acc = kernel || !max ? 0.0 : -INFINITY, second = -INFINITY;
            int64_t count = 0;
            for (int64_t a = 0; a < kh; ++a)
              for (int64_t q = 0; q < kw; ++q) {
                int64_t y = i * strides[0] + a * dil[0] - pads[0];
                int64_t z = j * strides[1] + q * dil[1] - pads[2];
                if (y < 0 || y >= h || z < 0 || z >= w)
                  continue;
                const double *px = &x.data[((b * h + y) * w + z) * c];
                ++count;
                if (kernel && depthwise) {
                  int64_t m = kernel->shape[3];
                  acc += px[o / m] *
                         kernel->data[((a * kw + q) * c + o / m) * m + o % m];
                } else if (kernel) {
                  for (int64_t ci = 0; ci < c; ++ci)
                    acc +=
                        px[ci] * kernel->data[((a * kw + q) * c + ci) * co + o];
                } else if (max) {
                  double v = px[o];
                  if (v > acc) {
                    second = acc;
                    acc = v;
                  } else if (v > second) {
                    second = v;
                  }
                } else {
                  acc += px[o];
                }
              }
            if (!kernel && !max)
              acc /= double(count);
            if (!kernel && max && count > 1)
              kink(acc - second);
            r.data[((b * oh + i) * ow + j) * co + o] = acc;
          }
    values[op->getResult(0)] = std::move(r);
    return true;
  }

  /// Table rows by id; zeros for ids outside the table.
  bool gather(mlc::GatherOp op) {
    const HostTensor &table = in(op, 0), &ids = in(op, 1);
    int64_t rows = table.shape[0], width = table.shape[1];
    HostTensor r;
    r.shape = ids.shape;
    r.shape.push_back(width);
    r.data.assign(numel(r.shape), 0);
    for (int64_t i = 0; i < int64_t(ids.data.size()); ++i) {
      auto id = int64_t(ids.data[i]);
      if (id < 0 || id >= rows)
        continue;
      for (int64_t w = 0; w < width; ++w)
        r.data[i * width + w] = table.data[id * width + w];
    }
    values[op->getResult(0)] = std::move(r);
    return true;
  }

  /// Elements [first, first + n) of `axis`, the rest whole.
  bool slice(mlc::SliceOp op) {
    const HostTensor &a = in(op, 0);
    int64_t rank = int64_t(a.shape.size());
    // I64Attr getters are unsigned.
    int64_t axis = int64_t(op.getAxis()), start = int64_t(op.getStart());
    if (axis < 0)
      axis += rank;
    int64_t n = op.getType().getDimSize(axis);
    int64_t first = start < 0 ? a.shape[axis] + start : start;
    if (first < 0 || first + n > a.shape[axis])
      return fail(op, "the slice runs outside " + shapeStr(a.shape));
    HostTensor r;
    r.shape = a.shape;
    r.shape[axis] = n;
    r.data.resize(numel(r.shape));
    Shape idx, st = stridesOf(a.shape);
    for (int64_t i = 0; i < int64_t(r.data.size()); ++i) {
      unravel(i, r.shape, idx);
      idx[axis] += first;
      r.data[i] = a.data[linearOffset(idx, st)];
    }
    values[op->getResult(0)] = std::move(r);
    return true;
  }

  static double activate(mlc::Activation act, double x) {
    switch (act) {
    case mlc::Activation::sigmoid:
      return 1 / (1 + std::exp(-x));
    case mlc::Activation::tanh:
      return std::tanh(x);
    case mlc::Activation::relu:
      return x > 0 ? x : 0;
    default:
      return x;
    }
  }

  /// Keras's LSTM from a zero state, gates i, f, c, o: every step's h, the
  /// last c, every step's c and activated gates.
  bool lstmScan(mlc::LSTMScanOp op) {
    const HostTensor &z = in(op, 0), &rk = in(op, 1);
    int64_t B = z.shape[0], T = z.shape[1], U = z.shape[2] / 4;
    mlc::Activation act = op.getActivation(),
                    gateAct = op.getRecurrentActivation();
    HostTensor hs, c, cs, gates;
    hs.shape = cs.shape = {B, T, U};
    c.shape = {B, U};
    gates.shape = z.shape;
    hs.data.assign(B * T * U, 0);
    cs.data.assign(B * T * U, 0);
    gates.data.assign(B * T * 4 * U, 0);
    c.data.assign(B * U, 0);
    std::vector<double> h(B * U, 0), pre(4 * U);
    for (int64_t t = 0; t < T; ++t) {
      std::vector<double> hNext(B * U);
      for (int64_t b = 0; b < B; ++b) {
        for (int64_t j = 0; j < 4 * U; ++j) {
          double sum = z.data[(b * T + t) * 4 * U + j];
          for (int64_t k = 0; k < U; ++k)
            sum += h[b * U + k] * rk.data[k * 4 * U + j];
          pre[j] = sum;
        }
        for (int64_t u = 0; u < U; ++u) {
          double i = activate(gateAct, pre[u]);
          double f = activate(gateAct, pre[U + u]);
          double g = activate(act, pre[2 * U + u]);
          double o = activate(gateAct, pre[3 * U + u]);
          double cell = f * c.data[b * U + u] + i * g;
          c.data[b * U + u] = cell;
          hNext[b * U + u] = o * activate(act, cell);
          int64_t at = (b * T + t) * U + u;
          hs.data[at] = hNext[b * U + u];
          cs.data[at] = cell;
          double *gt = &gates.data[(b * T + t) * 4 * U];
          gt[u] = i;
          gt[U + u] = f;
          gt[2 * U + u] = g;
          gt[3 * U + u] = o;
        }
      }
      h = std::move(hNext);
    }
    values[op->getResult(0)] = std::move(hs);
    values[op->getResult(1)] = std::move(c);
    values[op->getResult(2)] = std::move(cs);
    values[op->getResult(3)] = std::move(gates);
    return true;
  }

  /// Keras's GRU (reset_after) from a zero state, gates z, r, h: every
  /// step's h, activated gates and recurrent candidate h · U_h + c_h.
  bool gruScan(mlc::GRUScanOp op) {
    const HostTensor &zx = in(op, 0), &rk = in(op, 1), &rb = in(op, 2);
    int64_t B = zx.shape[0], T = zx.shape[1], U = zx.shape[2] / 3;
    mlc::Activation act = op.getActivation(),
                    gateAct = op.getRecurrentActivation();
    HostTensor hs, gates, rh;
    hs.shape = rh.shape = {B, T, U};
    gates.shape = zx.shape;
    hs.data.assign(B * T * U, 0);
    rh.data.assign(B * T * U, 0);
    gates.data.assign(B * T * 3 * U, 0);
    std::vector<double> h(B * U, 0), g(3 * U);
    for (int64_t t = 0; t < T; ++t) {
      std::vector<double> hNext(B * U);
      for (int64_t b = 0; b < B; ++b) {
        for (int64_t j = 0; j < 3 * U; ++j) {
          double sum = rb.data[j];
          for (int64_t k = 0; k < U; ++k)
            sum += h[b * U + k] * rk.data[k * 3 * U + j];
          g[j] = sum;
        }
        const double *x = &zx.data[(b * T + t) * 3 * U];
        for (int64_t u = 0; u < U; ++u) {
          double z = activate(gateAct, x[u] + g[u]);
          double r = activate(gateAct, x[U + u] + g[U + u]);
          double hh = activate(act, x[2 * U + u] + r * g[2 * U + u]);
          hNext[b * U + u] = z * h[b * U + u] + (1 - z) * hh;
          int64_t at = (b * T + t) * U + u;
          hs.data[at] = hNext[b * U + u];
          rh.data[at] = g[2 * U + u];
          double *gt = &gates.data[(b * T + t) * 3 * U];
          gt[u] = z;
          gt[U + u] = r;
          gt[2 * U + u] = hh;
        }
      }
      h = std::move(hNext);
    }
    values[op->getResult(0)] = std::move(hs);
    values[op->getResult(1)] = std::move(gates);
    values[op->getResult(2)] = std::move(rh);
    return true;
  }

  /// softmax(scale q_h k_h^T) v_h per batch row and head, keys after the
  /// query masked with -1e9 when causal (Keras's lower-triangular mask).
  bool attention(mlc::AttentionOp op) {
    const HostTensor &q = in(op, 0), &k = in(op, 1), &v = in(op, 2);
    int64_t B = q.shape[0], Tq = q.shape[1], Tk = k.shape[1];
    int64_t H = op.getNumHeads(), Dk = q.shape[2] / H, Dv = v.shape[2] / H;
    double scale = op.getScale().convertToDouble();
    HostTensor r;
    r.shape = {B, Tq, H * Dv};
    r.data.assign(numel(r.shape), 0);
    std::vector<double> p(Tk);
    for (int64_t b = 0; b < B; ++b)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t i = 0; i < Tq; ++i) {
          double top = -INFINITY;
          for (int64_t j = 0; j < Tk; ++j) {
            double s = 0;
            for (int64_t d = 0; d < Dk; ++d)
              s += q.data[(b * Tq + i) * H * Dk + h * Dk + d] *
                   k.data[(b * Tk + j) * H * Dk + h * Dk + d];
            p[j] = op.getCausal() && j > i ? -1e9 : s * scale;
            top = std::max(top, p[j]);
          }
          double sum = 0;
          for (int64_t j = 0; j < Tk; ++j)
            sum += p[j] = std::exp(p[j] - top);
          for (int64_t j = 0; j < Tk; ++j)
            for (int64_t d = 0; d < Dv; ++d)
              r.data[(b * Tq + i) * H * Dv + h * Dv + d] +=
                  p[j] / sum * v.data[(b * Tk + j) * H * Dv + h * Dv + d];
        }
    values[op->getResult(0)] = std::move(r);
    return true;
  }

  bool matmul(mlc::MatmulOp op) {
    const HostTensor &a = in(op, 0), &b = in(op, 1);
    size_t ra = a.shape.size(), rb = b.shape.size();
    bool tl = op.getTransposeLhs(), tr = op.getTransposeRhs();
    int64_t M = a.shape[ra - 2], K = a.shape[ra - 1];
    if (tl)
      std::swap(M, K);
    int64_t K2 = b.shape[rb - 2], N = b.shape[rb - 1];
    if (tr)
      std::swap(K2, N);
    if (K != K2)
      return fail(op, "contracting sizes differ: " + std::to_string(K) +
                          " vs " + std::to_string(K2));
    Shape ab(a.shape.begin(), a.shape.end() - 2),
        bb(b.shape.begin(), b.shape.end() - 2), batch;
    if (!broadcastShape(op, ab, bb, batch))
      return false;
    HostTensor r;
    r.shape = batch;
    r.shape.push_back(M);
    r.shape.push_back(N);
    r.data.assign(numel(r.shape), 0);
    Shape idx;
    for (int64_t bi = 0; bi < numel(batch); ++bi) {
      unravel(bi, batch, idx);
      const double *A = a.data.data() + broadcastOffset(ab, idx) * M * K;
      const double *B = b.data.data() + broadcastOffset(bb, idx) * K * N;
      double *C = r.data.data() + bi * M * N;
      for (int64_t m = 0; m < M; ++m)
        for (int64_t n = 0; n < N; ++n) {
          double s = 0;
          for (int64_t k = 0; k < K; ++k)
            s += (tl ? A[k * M + m] : A[m * K + k]) *
                 (tr ? B[n * K + k] : B[k * N + n]);
          C[m * N + n] = s;
        }
    }
    values[op.getResult()] = std::move(r);
    return true;
  }

  void scalar(Operation *op, double v) {
    values[op->getResult(0)] = HostTensor{{}, {v}};
  }

  /// Mean over the rows of a (..., classes) prediction of `rowLoss`.
  double meanOverRows(const HostTensor &p,
                      const std::function<double(int64_t, int64_t)> &rowLoss) {
    int64_t classes = p.shape.back();
    int64_t rows = classes ? int64_t(p.data.size()) / classes : 0;
    double sum = 0;
    for (int64_t r = 0; r < rows; ++r)
      sum += rowLoss(r * classes, classes);
    return rows ? sum / double(rows) : 0;
  }

  double clipProbability(double p) {
    kink(p - kEpsilon);
    kink(p - (1 - kEpsilon));
    return std::clamp(p, kEpsilon, 1 - kEpsilon);
  }

  bool loss(Operation *op, bool fromLogits) {
    // docs/losses.md: a cross-entropy of a softmax over the last axis (of a
    // sigmoid, for binary) is computed from its input, the logits, as
    // Keras does.
    if (!fromLogits && !llvm::isa<mlc::MSEOp>(op)) {
      Operation *def = op->getOperand(0).getDefiningOp();
      if (auto softmax = llvm::dyn_cast_or_null<mlc::SoftmaxOp>(def)) {
        int64_t rank = softmax.getType().getRank();
        int64_t axis = softmax.getAxis();
        if ((axis == -1 || axis == rank - 1) &&
            !llvm::isa<mlc::BinaryCrossentropyOp>(op))
          return lossOf(op, values[softmax.getInput()], in(op, 1), true);
      }
      if (auto sigmoid = llvm::dyn_cast_or_null<mlc::SigmoidOp>(def))
        if (llvm::isa<mlc::BinaryCrossentropyOp>(op))
          return lossOf(op, values[sigmoid.getInput()], in(op, 1), true);
    }
    return lossOf(op, in(op, 0), in(op, 1), fromLogits);
  }

  bool lossOf(Operation *op, const HostTensor &p, const HostTensor &t,
              bool fromLogits) {
    if (llvm::isa<mlc::SparseCategoricalCrossentropyOp>(op)) {
      bool bad = false;
      double l = meanOverRows(p, [&](int64_t base, int64_t c) {
        int64_t label = int64_t(t.data[base / c]);
        if (label < 0 || label >= c) {
          bad = true;
          return 0.0;
        }
        if (fromLogits) {
          return logSumExp(&p.data[base], c) - p.data[base + label];
        }
        // Keras: the clipped probabilities' logs become logits, so the
        // softmax normalizes by the sum of the clipped values.
        double sum = 0;
        for (int64_t j = 0; j < c; ++j)
          sum += clipProbability(p.data[base + j]);
        return -std::log(clipProbability(p.data[base + label]) / sum);
      });
      if (bad)
        return fail(op, "a label is outside [0, classes)");
      scalar(op, l);
      return true;
    }
    if (p.data.size() != t.data.size())
      return fail(op, "prediction and target sizes differ");
    if (llvm::isa<mlc::MSEOp>(op)) {
      double sum = 0;
      for (size_t i = 0; i < p.data.size(); ++i)
        sum += (p.data[i] - t.data[i]) * (p.data[i] - t.data[i]);
      scalar(op, p.data.empty() ? 0 : sum / double(p.data.size()));
      return true;
    }
    if (llvm::isa<mlc::CategoricalCrossentropyOp>(op)) {
      scalar(op, meanOverRows(p, [&](int64_t base, int64_t c) {
               double s = 0;
               if (fromLogits) {
                 double lse = logSumExp(&p.data[base], c);
                 for (int64_t j = 0; j < c; ++j)
                   s -= t.data[base + j] * (p.data[base + j] - lse);
                 return s;
               }
               double sum = 0;
               for (int64_t j = 0; j < c; ++j)
                 sum += p.data[base + j];
               for (int64_t j = 0; j < c; ++j)
                 s -= t.data[base + j] *
                      std::log(clipProbability(p.data[base + j] / sum));
               return s;
             }));
      return true;
    }
    // Binary cross-entropy: the mean over every element.
    double sum = 0;
    for (size_t i = 0; i < p.data.size(); ++i) {
      double z = p.data[i], y = t.data[i];
      if (fromLogits) {
        sum += std::max(z, 0.0) - z * y + std::log1p(std::exp(-std::abs(z)));
      } else {
        double q = clipProbability(z);
        sum -= y * std::log(q) + (1 - y) * std::log(1 - q);
      }
    }
    scalar(op, p.data.empty() ? 0 : sum / double(p.data.size()));
    return true;
  }

  /// Training form: each channel (last axis) normalized by the batch's
  /// mean and biased variance; the moving statistics' next values too.
  bool batchNorm(mlc::ApplyBatchNormOp op) {
    const HostTensor &x = in(op, 0), &gamma = in(op, 1), &beta = in(op, 2),
                     &moving = in(op, 3), &movingVar = in(op, 4);
    int64_t c = x.shape.back(), n = numel(x.shape) / c;
    double eps = op.getEpsilon().convertToDouble();
    double momentum = op.getMomentum().convertToDouble();
    HostTensor y{x.shape, x.data}, mean{{c}, {}}, var{{c}, {}};
    for (int64_t j = 0; j < c; ++j) {
      double m = 0, v = 0;
      for (int64_t i = 0; i < n; ++i)
        m += x.data[i * c + j];
      m /= double(n);
      for (int64_t i = 0; i < n; ++i)
        v += (x.data[i * c + j] - m) * (x.data[i * c + j] - m);
      v /= double(n);
      for (int64_t i = 0; i < n; ++i)
        y.data[i * c + j] =
            gamma.data[j] * (x.data[i * c + j] - m) / std::sqrt(v + eps) +
            beta.data[j];
      mean.data.push_back(moving.data[j] * momentum + m * (1 - momentum));
      var.data.push_back(movingVar.data[j] * momentum + v * (1 - momentum));
    }
    values[op->getResult(0)] = std::move(y);
    values[op->getResult(1)] = std::move(mean);
    values[op->getResult(2)] = std::move(var);
    return true;
  }

  /// Training form: element i (row-major) is kept, scaled by 1 / (1 -
  /// rate), when its uniform number from the counter-based generator (the
  /// op's definition: splitmix64's finalizer over the state's bits, the
  /// stream and i) is at least `rate`.
  bool dropout(mlc::ApplyDropoutOp op) {
    auto mix = [](uint64_t z) {
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      return z ^ (z >> 31);
    };
    auto bits = [](double v) {
      float f = float(v);
      uint32_t u;
      std::memcpy(&u, &f, sizeof u);
      return uint64_t(u);
    };
    const uint64_t gold = 0x9E3779B97F4A7C15ull;
    const HostTensor &x = in(op, 0), &state = in(op, 1);
    uint64_t key = mix((bits(state.data[0]) << 32 | bits(state.data[1])) +
                       uint64_t(op.getStream() + 1) * gold);
    double rate = op.getRate().convertToDouble();
    HostTensor y{x.shape, x.data};
    for (size_t i = 0; i < y.data.size(); ++i) {
      double u = double(mix(key + (i + 1) * gold) >> 40) / 16777216.0;
      y.data[i] = u >= rate ? y.data[i] / (1 - rate) : 0.0;
    }
    values[op->getResult(0)] = std::move(y);
    return true;
  }

  bool constant(mlc::ConstantOp op) {
    auto attr = llvm::dyn_cast<DenseElementsAttr>(op.getValue());
    if (!attr)
      return fail(op, "not a dense constant");
    HostTensor r;
    auto type = llvm::cast<ShapedType>(attr.getType());
    r.shape.assign(type.getShape().begin(), type.getShape().end());
    if (llvm::isa<FloatType>(type.getElementType())) {
      for (APFloat v : attr.getValues<APFloat>())
        r.data.push_back(v.convertToDouble());
    } else {
      for (APInt v : attr.getValues<APInt>())
        r.data.push_back(double(v.getSExtValue()));
    }
    values[op.getResult()] = std::move(r);
    return true;
  }

  bool leaf(Operation *op, const std::string &name) {
    auto it = leaves.find(name);
    if (it == leaves.end())
      return fail(op, "no value for '" + name + "'");
    auto type = llvm::cast<RankedTensorType>(op->getResult(0).getType());
    const HostTensor &t = it->second;
    if (int64_t(t.shape.size()) != type.getRank() ||
        int64_t(t.data.size()) != numel(t.shape))
      return fail(op, "'" + name + "' has shape " + shapeStr(t.shape));
    for (int64_t k = 0; k < type.getRank(); ++k)
      if (!type.isDynamicDim(k) && type.getDimSize(k) != t.shape[k])
        return fail(op, "'" + name + "' has shape " + shapeStr(t.shape));
    values[op->getResult(0)] = t;
    return true;
  }

  bool run(Operation *op) {
    auto unary = [&](const std::function<double(double)> &f) {
      values[op->getResult(0)] = map(in(op, 0), f);
      return true;
    };
    return llvm::TypeSwitch<Operation *, bool>(op)
        .Case([&](mlc::InputOp o) { return leaf(o, o.getName().str()); })
        .Case([&](mlc::ParamRefOp o) { return leaf(o, o.getParam().str()); })
        .Case([&](mlc::ParamOp) { return true; })
        .Case([&](mlc::GradientOp) { return true; })
        .Case([&](mlc::OutputOp) { return true; })
        .Case([&](mlc::ConstantOp o) { return constant(o); })
        .Case([&](mlc::ConvOp o) {
          const HostTensor &k = in(op, 1);
          return window(op, &k, k.shape[0], k.shape[1], o.getStrides(),
                        o.getDilations(), o.getPads(), false);
        })
        .Case([&](mlc::DepthwiseConvOp o) {
          const HostTensor &k = in(op, 1);
          return window(op, &k, k.shape[0], k.shape[1], o.getStrides(),
                        o.getDilations(), o.getPads(), false, true);
        })
        .Case([&](mlc::MaxPoolOp o) {
          int64_t ones[] = {1, 1};
          return window(op, nullptr, o.getWindow()[0], o.getWindow()[1],
                        o.getStrides(), ones, o.getPads(), true);
        })
        .Case([&](mlc::AvgPoolOp o) {
          int64_t ones[] = {1, 1};
          return window(op, nullptr, o.getWindow()[0], o.getWindow()[1],
                        o.getStrides(), ones, o.getPads(), false);
        })
        .Case([&](mlc::AddOp) {
          return binary(op, [](double a, double b) { return a + b; });
        })
        .Case([&](mlc::SubOp) {
          return binary(op, [](double a, double b) { return a - b; });
        })
        .Case([&](mlc::MulOp) {
          return binary(op, [](double a, double b) { return a * b; });
        })
        .Case([&](mlc::DivOp) {
          return binary(op, [](double a, double b) { return a / b; });
        })
        .Case([&](mlc::EqualOp) {
          return binary(op,
                        [](double a, double b) { return a == b ? 1.0 : 0.0; });
        })
        .Case([&](mlc::NegOp) { return unary([](double x) { return -x; }); })
        .Case([&](mlc::ExpOp) {
          return unary([](double x) { return std::exp(x); });
        })
        .Case([&](mlc::LogOp) {
          return unary([](double x) { return std::log(x); });
        })
        .Case([&](mlc::SqrtOp) {
          return unary([](double x) { return std::sqrt(x); });
        })
        .Case([&](mlc::ReluOp) {
          return unary([&](double x) {
            kink(x);
            return x > 0 ? x : 0.0;
          });
        })
        .Case([&](mlc::SigmoidOp) {
          return unary([](double x) { return 1 / (1 + std::exp(-x)); });
        })
        .Case([&](mlc::TanhOp) {
          return unary([](double x) { return std::tanh(x); });
        })
        .Case([&](mlc::GeluOp o) {
          if (o.getApproximate())
            return unary([](double x) {
              double u = std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x);
              return 0.5 * x * (1 + std::tanh(u));
            });
          return unary([](double x) {
            return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0)));
          });
        })
        .Case([&](mlc::WhereOp) {
          const HostTensor &c = in(op, 0), &a = in(op, 1), &b = in(op, 2);
          HostTensor r;
          Shape ab;
          if (!broadcastShape(op, a.shape, b.shape, ab) ||
              !broadcastShape(op, c.shape, ab, r.shape))
            return false;
          r.data.resize(numel(r.shape));
          Shape idx;
          for (int64_t i = 0; i < int64_t(r.data.size()); ++i) {
            unravel(i, r.shape, idx);
            r.data[i] = c.data[broadcastOffset(c.shape, idx)] != 0
                            ? a.data[broadcastOffset(a.shape, idx)]
                            : b.data[broadcastOffset(b.shape, idx)];
          }
          values[op->getResult(0)] = std::move(r);
          return true;
        })
        .Case([&](mlc::ConcatOp o) {
          int64_t rank = o.getType().getRank();
          int64_t axis = int64_t(o.getAxis());
          if (axis < 0)
            axis += rank;
          HostTensor r;
          r.shape = in(op, 0).shape;
          r.shape[axis] = 0;
          for (unsigned k = 0; k < op->getNumOperands(); ++k)
            r.shape[axis] += in(op, k).shape[axis];
          r.data.resize(numel(r.shape));
          Shape idx, st = stridesOf(r.shape);
          int64_t offset = 0;
          for (unsigned k = 0; k < op->getNumOperands(); ++k) {
            const HostTensor &a = in(op, k);
            for (int64_t i = 0; i < int64_t(a.data.size()); ++i) {
              unravel(i, a.shape, idx);
              idx[axis] += offset;
              r.data[linearOffset(idx, st)] = a.data[i];
            }
            offset += a.shape[axis];
          }
          values[op->getResult(0)] = std::move(r);
          return true;
        })
        .Case([&](mlc::ClipOp o) {
          double lo = o.getMin().convertToDouble();
          double hi = o.getMax().convertToDouble();
          return unary([&, lo, hi](double x) {
            kink(x - lo);
            kink(x - hi);
            return std::clamp(x, lo, hi);
          });
        })
        .Case([&](mlc::SoftmaxOp o) { return softmax(op, o.getAxis(), false); })
        .Case(
            [&](mlc::LogSoftmaxOp o) { return softmax(op, o.getAxis(), true); })
        .Case([&](mlc::ReduceSumOp o) {
          return reduce(op, o.getAxes(), o.getKeepdims(), 0);
        })
        .Case([&](mlc::ReduceMeanOp o) {
          return reduce(op, o.getAxes(), o.getKeepdims(), 1);
        })
        .Case([&](mlc::ReduceMaxOp o) {
          return reduce(op, o.getAxes(), o.getKeepdims(), 2);
        })
        .Case([&](mlc::ReshapeOp) {
          const HostTensor &a = in(op, 0);
          HostTensor r;
          if (!resultShape(op, a.shape, r.shape))
            return false;
          r.data = a.data;
          values[op->getResult(0)] = std::move(r);
          return true;
        })
        .Case([&](mlc::TransposeOp o) {
          const HostTensor &a = in(op, 0);
          llvm::ArrayRef<int64_t> perm = o.getPerm();
          HostTensor r;
          for (int64_t p : perm)
            r.shape.push_back(a.shape[p]);
          r.data.resize(a.data.size());
          Shape st = stridesOf(a.shape), idx;
          for (int64_t i = 0; i < int64_t(r.data.size()); ++i) {
            unravel(i, r.shape, idx);
            int64_t off = 0;
            for (size_t k = 0; k < perm.size(); ++k)
              off += idx[k] * st[perm[k]];
            r.data[i] = a.data[off];
          }
          values[op->getResult(0)] = std::move(r);
          return true;
        })
        .Case([&](mlc::BroadcastToOp) {
          const HostTensor &a = in(op, 0);
          auto type = llvm::cast<RankedTensorType>(op->getResult(0).getType());
          HostTensor r;
          r.shape.assign(type.getShape().begin(), type.getShape().end());
          size_t off = r.shape.size() - a.shape.size();
          for (size_t k = 0; k < r.shape.size(); ++k)
            if (ShapedType::isDynamic(r.shape[k])) {
              if (k < off)
                return fail(op, "a dynamic result dimension has no input");
              r.shape[k] = a.shape[k - off];
            }
          r.data.resize(numel(r.shape));
          Shape idx;
          for (int64_t i = 0; i < int64_t(r.data.size()); ++i) {
            unravel(i, r.shape, idx);
            r.data[i] = a.data[broadcastOffset(a.shape, idx)];
          }
          values[op->getResult(0)] = std::move(r);
          return true;
        })
        .Case([&](mlc::MatmulOp o) { return matmul(o); })
        .Case([&](mlc::SliceOp o) { return slice(o); })
        .Case([&](mlc::GatherOp o) { return gather(o); })
        .Case([&](mlc::LSTMScanOp o) { return lstmScan(o); })
        .Case([&](mlc::GRUScanOp o) { return gruScan(o); })
        .Case([&](mlc::IotaOp o) {
          const HostTensor &like = in(op, 0);
          int64_t axis = int64_t(o.getAxis());
          HostTensor r;
          r.shape.assign(like.shape.begin(),
                         like.shape.begin() + o.getType().getRank());
          r.data.resize(numel(r.shape));
          Shape idx;
          for (int64_t i = 0; i < int64_t(r.data.size()); ++i) {
            unravel(i, r.shape, idx);
            r.data[i] = double(idx[axis]);
          }
          values[op->getResult(0)] = std::move(r);
          return true;
        })
        .Case([&](mlc::AttentionOp o) { return attention(o); })
        .Case([&](mlc::ApplyBatchNormOp o) { return batchNorm(o); })
        .Case([&](mlc::ApplyDropoutOp o) { return dropout(o); })
        .Case<mlc::MSEOp, mlc::CategoricalCrossentropyOp,
              mlc::SparseCategoricalCrossentropyOp, mlc::BinaryCrossentropyOp>(
            [&](Operation *o) { return loss(o, o->hasAttr("from_logits")); })
        .Default([&](Operation *o) {
          return fail(o, "the reference evaluator does not know this op");
        });
  }
};

} // namespace

Evaluation
mlc::difftest::evaluate(ModuleOp module,
                        const std::map<std::string, HostTensor> &leaves) {
  Evaluator e(leaves);
  mlc::ModelOp model;
  module.walk([&](mlc::ModelOp m) { model = m; });
  if (!model) {
    e.result.error = "no mlc.model";
    return e.result;
  }
  Block &body = model->getRegion(0).front();
  for (Operation &op : body)
    if (!e.run(&op))
      return e.result;
  auto output = llvm::cast<mlc::OutputOp>(body.getTerminator());
  for (Value v : output.getOutputs()) {
    if (v.getDefiningOp<mlc::GradientOp>())
      e.result.outputs.emplace_back();
    else
      e.result.outputs.push_back(e.values[v]);
  }
  return e.result;
}
