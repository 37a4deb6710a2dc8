//===- Generator.cpp - random well-typed mlc graphs -----------------------===//

#include "Generator.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <set>

using namespace mlc::difftest;

std::string mlc::difftest::typeStr(const Shape &shape, const std::string &elt) {
  std::string s = "tensor<";
  for (const Dim &d : shape)
    s += (d.sym ? std::string("?") : std::to_string(d.size)) + "x";
  return s + elt + ">";
}

std::vector<const Leaf *> mlc::difftest::floatLeaves(const Graph &g) {
  std::vector<const Leaf *> leaves;
  for (const Leaf &leaf : g.leaves)
    if (!leaf.labels)
      leaves.push_back(&leaf);
  return leaves;
}

namespace {

std::set<std::string> &excluded() {
  static std::set<std::string> ops;
  return ops;
}

/// The symbol a dynamic dimension at `position` of an entry-point buffer
/// carries: buffers agree on sizes position by position.
char canonicalSym(size_t position) {
  return position == 0 ? 'B' : position == 1 ? 'S' : 0;
}

bool isCanonical(const Shape &shape) {
  for (size_t k = 0; k < shape.size(); ++k)
    if (shape[k].sym && shape[k].sym != canonicalSym(k))
      return false;
  return true;
}

/// A size for bounds: dynamic sizes count as the largest the runs use.
double sizeBound(const Dim &d) { return d.sym ? 4.0 : double(d.size); }

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

struct Val {
  std::string ssa;
  Shape shape;
  double bound; ///< a rough bound of |value|, to keep exp and products sane
};

class Gen {
public:
  Gen(uint64_t seed, uint64_t index, const std::string &prefix,
      const std::string &elt)
      : rng(seed * 0x9E3779B97F4A7C15ull + index * 0xD1B54A32D192ED03ull +
            0x632BE59BD9B4E019ull) {
    g.prefix = prefix;
    g.elt = elt;
  }

  Graph run() {
    int numInputs = int(pick(1, 2));
    for (int i = 0; i < numInputs; ++i)
      pool.push_back(input(randomShape()));
    int numOps = int(pick(2, 8));
    for (int i = 0, tries = 0; i < numOps && tries < 100; ++tries)
      if (step())
        ++i;
    finish();
    return std::move(g);
  }

private:
  std::mt19937_64 rng;
  Graph g;
  std::vector<Val> pool;
  int counter = 0, leafCounter = 0;

  int64_t pick(int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  }
  double uni(double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  }
  bool chance(double p) { return uni(0, 1) < p; }

  std::string fresh() {
    return "%" + g.prefix + "v" + std::to_string(counter++);
  }
  std::string t(const Shape &s) const { return typeStr(s, g.elt); }
  std::string scalarType() const { return "tensor<" + g.elt + ">"; }

  /// A shape of rank 1 to `maxRank` whose first dim is the batch with
  /// probability `batch`, second the sequence with `sequence`, others 1-4.
  Shape randomShape(int64_t maxRank = 4, double batch = 0.7,
                    double sequence = 0.25) {
    int64_t rank = pick(1, maxRank);
    Shape s;
    for (int64_t k = 0; k < rank; ++k) {
      Dim d;
      if (k == 0 && chance(batch))
        d.sym = 'B';
      else if (k == 1 && chance(sequence))
        d.sym = 'S';
      else
        d.size = pick(1, 4);
      s.push_back(d);
    }
    return s;
  }

  /// A new int32 input of `shape` with values in [0, classes): labels,
  /// token ids, masks.
  std::string intInput(const Shape &shape, int64_t classes) {
    Leaf lab;
    lab.name = g.prefix + "y" + std::to_string(leafCounter++);
    lab.shape = shape;
    lab.labels = true;
    lab.classes = classes;
    g.leaves.push_back(lab);
    g.body.push_back("%" + lab.name + " = mlc.input \"" + lab.name +
                     "\" : " + typeStr(shape, "i32"));
    return "%" + lab.name;
  }

  Val leaf(Shape s, bool param, double lo = -2, double hi = 2) {
    Leaf l;
    l.name = g.prefix + (param ? "p" : "x") + std::to_string(leafCounter++);
    l.shape = s;
    l.param = param;
    l.lo = lo;
    l.hi = hi;
    g.leaves.push_back(l);
    Val v{"%" + l.name, s, std::max(std::abs(lo), std::abs(hi))};
    if (param) {
      g.body.push_back("mlc.param @" + l.name + " : " + t(s) + " = #mlc.zeros");
      g.body.push_back(v.ssa + " = mlc.param_ref @" + l.name + " : " + t(s));
    } else {
      g.body.push_back(v.ssa + " = mlc.input \"" + l.name + "\" : " + t(s));
    }
    return v;
  }
  Val input(Shape s, double lo = -2, double hi = 2) {
    return leaf(std::move(s), false, lo, hi);
  }
  /// A new leaf of `s`: a param when static (sometimes), else an input.
  Val newLeaf(Shape s) {
    bool dynamic = std::any_of(s.begin(), s.end(),
                               [](const Dim &d) { return d.sym != 0; });
    if (!s.empty() && !dynamic && chance(0.5))
      return leaf(std::move(s), true, -1, 1);
    if (s.empty())
      return constant({});
    return input(std::move(s));
  }

  Val constant(const Shape &s) {
    // Rank 0 or 1 (static): a splat or a list.
    Val v{fresh(), s, 0};
    std::string values;
    if (s.empty() || chance(0.3)) {
      double c = uni(-1.5, 1.5);
      values = num(c);
      v.bound = std::abs(c);
    } else {
      values = "[";
      for (int64_t i = 0; i < s[0].size; ++i) {
        double c = uni(-1.5, 1.5);
        values += (i ? ", " : "") + num(c);
        v.bound = std::max(v.bound, std::abs(c));
      }
      values += "]";
    }
    g.body.push_back(v.ssa + " = mlc.constant dense<" + values + "> : " + t(s));
    return v;
  }

  Val emit(const std::string &rhs, Shape shape, double bound) {
    Val v{fresh(), std::move(shape), bound};
    g.body.push_back(v.ssa + " = " + rhs);
    return v;
  }
  Val unary(const std::string &op, const Val &a, double bound) {
    return emit("mlc." + op + " " + a.ssa + " : " + t(a.shape), a.shape, bound);
  }
  static Shape broadcast(const Shape &a, const Shape &b) {
    size_t rank = std::max(a.size(), b.size());
    Shape r(rank);
    for (size_t i = 0; i < rank; ++i) {
      Dim da = i < a.size() ? a[a.size() - 1 - i] : Dim{1, 0};
      Dim db = i < b.size() ? b[b.size() - 1 - i] : Dim{1, 0};
      r[rank - 1 - i] = (!da.sym && da.size == 1) ? db : da;
    }
    return r;
  }
  static bool broadcastsInto(const Shape &small, const Shape &big) {
    if (small.size() > big.size())
      return false;
    for (size_t i = 0; i < small.size(); ++i) {
      const Dim &s = small[small.size() - 1 - i];
      const Dim &b = big[big.size() - 1 - i];
      if (!(s == b) && !(!s.sym && s.size == 1))
        return false;
    }
    return true;
  }
  Val binary(const std::string &op, const Val &a, const Val &b) {
    Shape r = broadcast(a.shape, b.shape);
    double bound = op == "add" || op == "sub" ? a.bound + b.bound
                   : op == "mul"              ? a.bound * b.bound
                                              : a.bound / 0.1;
    return emit("mlc." + op + " " + a.ssa + ", " + b.ssa + " : (" + t(a.shape) +
                    ", " + t(b.shape) + ") -> " + t(r),
                r, bound);
  }
  Val rank0Constant(double c) {
    Val v{fresh(), {}, std::abs(c)};
    g.body.push_back(v.ssa + " = mlc.constant dense<" + num(c) +
                     "> : " + scalarType());
    return v;
  }
  /// A value >= 0.1 computed from `v`, for log, sqrt and denominators.
  Val positive(const Val &v) {
    switch (pick(0, 2)) {
    case 0: {
      Val sq = binary("mul", v, v);
      return binary("add", sq, rank0Constant(0.5));
    }
    case 1:
      return binary("add", unary("sigmoid", v, 1), rank0Constant(0.1));
    default:
      return unary("exp", unary("tanh", v, 1), 2.72);
    }
  }
  Val squash(Val v) { return v.bound > 30 ? unary("tanh", v, 1) : v; }

  const Val &operand() {
    if (chance(0.6))
      return pool.back();
    return pool[pick(0, int64_t(pool.size()) - 1)];
  }

  /// The other operand of an elementwise op with `a`.
  Val partner(const Val &a) {
    double r = uni(0, 1);
    if (r < 0.35) {
      std::vector<const Val *> fits;
      for (const Val &v : pool)
        if (broadcastsInto(v.shape, a.shape) ||
            broadcastsInto(a.shape, v.shape))
          fits.push_back(&v);
      if (!fits.empty())
        return *fits[pick(0, int64_t(fits.size()) - 1)];
    }
    if (r < 0.75 || a.shape.empty() || a.shape.back().sym) {
      size_t len =
          size_t(pick(a.shape.empty() ? 0 : 1, int64_t(a.shape.size())));
      Shape s(a.shape.end() - len, a.shape.end());
      for (size_t k = 0; k < s.size(); ++k)
        if (chance(0.3) || (s[k].sym && s[k].sym != canonicalSym(k)))
          s[k] = Dim{1, 0};
      return newLeaf(s);
    }
    return constant(chance(0.5) ? Shape{} : Shape{a.shape.back()});
  }

  static bool allowed(const std::string &op) { return !excluded().count(op); }

  /// `a` or another value by a mask: a comparison of two values (1.0 where
  /// equal; relu(x) against 0 says where x <= 0) or an integer input.
  bool where(const Val &a) {
    if (!allowed("where"))
      return false;
    Val b = partner(a);
    Shape rs = broadcast(a.shape, b.shape);
    std::string cond, condType;
    // Inputs need a rank: a rank-0 result takes the comparison.
    if (rs.empty() || chance(0.5)) {
      Val r = unary("relu", a, a.bound);
      Val zero = rank0Constant(0);
      Val eq = emit("mlc.equal " + r.ssa + ", " + zero.ssa + " : (" +
                        t(r.shape) + ", " + scalarType() + ") -> " + t(r.shape),
                    r.shape, 1);
      cond = eq.ssa;
      condType = t(eq.shape);
    } else {
      Shape ms(rs.end() - pick(1, int64_t(rs.size())), rs.end());
      for (size_t k = 0; k < ms.size(); ++k)
        if (chance(0.3) || (ms[k].sym && ms[k].sym != canonicalSym(k)))
          ms[k] = Dim{1, 0};
      condType = typeStr(ms, "i32");
      cond = intInput(ms, 2);
    }
    Shape r = broadcast(rs, Shape{});
    Val lhs = a, rhs = b;
    if (chance(0.5))
      std::swap(lhs, rhs);
    pool.push_back(emit("mlc.where " + cond + ", " + lhs.ssa + ", " + rhs.ssa +
                            " : (" + condType + ", " + t(lhs.shape) + ", " +
                            t(rhs.shape) + ") -> " + t(r),
                        r, std::max(a.bound, b.bound)));
    return true;
  }

  /// `a` joined with a new leaf (or itself) along an axis of static size.
  bool concat(const Val &a) {
    int64_t rank = int64_t(a.shape.size());
    if (rank == 0 || !allowed("concat"))
      return false;
    int64_t axis = pick(0, rank - 1);
    if (a.shape[axis].sym)
      return false;
    Val b = a;
    if (chance(0.6)) {
      Shape s = a.shape;
      s[axis] = Dim{pick(1, 3), 0};
      for (size_t k = 0; k < s.size(); ++k)
        if (s[k].sym && s[k].sym != canonicalSym(k))
          return false;
      b = newLeaf(s);
    }
    Shape r = a.shape;
    r[axis].size += b.shape[axis].size;
    bool swap = chance(0.5);
    const Val &x = swap ? b : a, &y = swap ? a : b;
    pool.push_back(emit("mlc.concat " + x.ssa + ", " + y.ssa +
                            " axis = " + std::to_string(axis) + " : (" +
                            t(x.shape) + ", " + t(y.shape) + ") -> " + t(r),
                        r, std::max(a.bound, b.bound)));
    return true;
  }

  /// Rows of a table by integer ids (an embedding): the table is a static
  /// rank-2 value of the graph (its gradient then flows on) or a new param.
  bool gather(const Val &a) {
    if (!allowed("gather"))
      return false;
    Val table;
    if (a.shape.size() == 2 && !a.shape[0].sym && !a.shape[1].sym &&
        chance(0.5))
      table = a;
    else
      table = leaf({Dim{pick(1, 5), 0}, Dim{pick(1, 4), 0}}, true, -1, 1);
    Shape ids;
    std::string idsValue;
    if (a.shape.size() >= 2 && chance(0.3) && allowed("iota")) {
      // Positions along a's second axis (a position embedding's ids).
      ids.assign(a.shape.begin(), a.shape.begin() + 2);
      idsValue = fresh();
      g.body.push_back(idsValue + " = mlc.iota " + a.ssa + " axis = 1 : " +
                       t(a.shape) + " -> " + typeStr(ids, "i32"));
    } else {
      ids = randomShape(2, 0.6, 0.4);
      idsValue = intInput(ids, table.shape[0].size);
    }
    Shape r = ids;
    r.push_back(table.shape[1]);
    pool.push_back(emit("mlc.gather " + table.ssa + ", " + idsValue + " : (" +
                            t(table.shape) + ", " + typeStr(ids, "i32") +
                            ") -> " + t(r),
                        r, table.bound));
    return true;
  }

  /// Consecutive elements along one axis: from the start, or counted from
  /// the end (of a dynamic axis too).
  bool slice(const Val &a) {
    int64_t rank = int64_t(a.shape.size());
    if (rank == 0 || !allowed("slice"))
      return false;
    int64_t axis = pick(0, rank - 1);
    const Dim &d = a.shape[axis];
    // A dynamic axis is at least 1 long at run time: one element from the
    // end or the start.
    int64_t size = d.sym ? 1 : d.size;
    int64_t n = pick(1, size);
    int64_t start = chance(0.5) ? pick(0, size - n) : -pick(n, size);
    Shape r = a.shape;
    r[axis] = Dim{n, 0};
    pool.push_back(emit(
        "mlc.slice " + a.ssa + " axis = " + std::to_string(axis) + " start = " +
            std::to_string(start) + " : " + t(a.shape) + " -> " + t(r),
        r, a.bound));
    return true;
  }

  /// A recurrence's input projection of a rank-3 value (batch, time,
  /// features): its rows (squashed when large) times a new (features,
  /// `width`) param.
  Val stepProjection(const Val &a, int64_t width) {
    Val x = a.bound > 3 ? unary("tanh", a, 1) : a;
    Val w = leaf({a.shape[2], Dim{width, 0}}, true, -1, 1);
    Shape zs = {a.shape[0], a.shape[1], Dim{width, 0}};
    return emit("mlc.matmul " + x.ssa + ", " + w.ssa + " : (" + t(x.shape) +
                    ", " + t(w.shape) + ") -> " + t(zs),
                zs, 3 * double(a.shape[2].size));
  }

  /// A GRU over a rank-3 value as (batch, time, features): its input
  /// projection, the recurrence with a recurrent bias, its sequence.
  bool gru(const Val &a) {
    if (a.shape.size() != 3 || a.shape[2].sym || !allowed("gru_scan"))
      return false;
    int64_t units = pick(1, 3);
    Val z = stepProjection(a, 3 * units);
    const Shape &zs = z.shape;
    Val rk = leaf({Dim{units, 0}, Dim{3 * units, 0}}, true, -1, 1);
    Val rb = leaf({Dim{3 * units, 0}}, true, -1, 1);
    static const char *acts[] = {"sigmoid", "tanh"};
    std::string attrs;
    if (chance(0.3))
      attrs = std::string(" {activation = #mlc.act<") + acts[pick(0, 1)] +
              ">, recurrent_activation = #mlc.act<" + acts[pick(0, 1)] + ">}";
    Shape seq = {a.shape[0], a.shape[1], Dim{units, 0}};
    std::string hs = fresh(), gates = fresh(), rh = fresh();
    g.body.push_back(hs + ", " + gates + ", " + rh + " = mlc.gru_scan " +
                     z.ssa + ", " + rk.ssa + ", " + rb.ssa + attrs + " : (" +
                     t(zs) + ", " + t(rk.shape) + ", " + t(rb.shape) +
                     ") -> (" + t(seq) + ", " + t(zs) + ", " + t(seq) + ")");
    // h is a mix of tanh values and the zero state: |h| <= 1.
    pool.push_back(Val{hs, seq, 1});
    return true;
  }

  /// Attention over a rank-3 value as (batch, time, features): its
  /// projections as q, k (or q again: self-attention) and v, 1-3 heads,
  /// causal or not.
  bool attention(const Val &a) {
    if (a.shape.size() != 3 || a.shape[2].sym || !allowed("attention"))
      return false;
    int64_t heads = pick(1, 3), dk = pick(1, 3), dv = pick(1, 3);
    Val q = stepProjection(a, heads * dk);
    Val k = chance(0.3) ? q : stepProjection(a, heads * dk);
    Val v = stepProjection(a, heads * dv);
    std::string attrs = "{num_heads = " + std::to_string(heads) +
                        ", scale = " + num(uni(0.05, 0.6)) + " : f64" +
                        (chance(0.5) ? ", causal}" : "}");
    Shape r = {a.shape[0], a.shape[1], Dim{heads * dv, 0}};
    // Each result row is a convex combination of v's rows.
    pool.push_back(emit("mlc.attention " + q.ssa + ", " + k.ssa + ", " + v.ssa +
                            " " + attrs + " : (" + t(q.shape) + ", " +
                            t(k.shape) + ", " + t(v.shape) + ") -> " + t(r),
                        r, v.bound));
    return true;
  }

  /// An LSTM over a rank-3 value as (batch, time, features): its input
  /// projection (a matmul of every step's rows), the recurrence, and its
  /// sequence or last cell.
  bool lstm(const Val &a) {
    if (a.shape.size() != 3 || a.shape[2].sym || !allowed("lstm_scan"))
      return false;
    int64_t units = pick(1, 3);
    Val z = stepProjection(a, 4 * units);
    const Shape &zs = z.shape;
    Val rk = leaf({Dim{units, 0}, Dim{4 * units, 0}}, true, -1, 1);
    static const char *acts[] = {"sigmoid", "tanh"};
    std::string attrs;
    if (chance(0.3))
      attrs = std::string(" {activation = #mlc.act<") + acts[pick(0, 1)] +
              ">, recurrent_activation = #mlc.act<" + acts[pick(0, 1)] + ">}";
    Shape seq = {a.shape[0], a.shape[1], Dim{units, 0}};
    Shape cell = {a.shape[0], Dim{units, 0}};
    std::string hs = fresh(), c = fresh(), cs = fresh(), gates = fresh();
    g.body.push_back(hs + ", " + c + ", " + cs + ", " + gates +
                     " = mlc.lstm_scan " + z.ssa + ", " + rk.ssa + attrs +
                     " : (" + t(zs) + ", " + t(rk.shape) + ") -> (" + t(seq) +
                     ", " + t(cell) + ", " + t(seq) + ", " + t(zs) + ")");
    // |h| <= 1; |c| grows by at most 1 a step.
    double steps = sizeBound(a.shape[1]);
    if (chance(0.6))
      pool.push_back(Val{hs, seq, 1});
    else
      pool.push_back(Val{c, cell, steps});
    return true;
  }

  bool step() {
    Val a = operand();
    int64_t rank = int64_t(a.shape.size());
    switch (pick(0, 19)) {
    case 0:
    case 1: { // unary
      static const char *ops[] = {"neg",     "exp",  "log",  "sqrt", "relu",
                                  "sigmoid", "tanh", "gelu", "gelu"};
      std::string op = ops[pick(0, 8)];
      if (!allowed(op))
        return false;
      if (op == "gelu") {
        // The exact form, or the tanh one; |gelu(x)| <= |x|.
        bool approx = chance(0.4);
        pool.push_back(emit("mlc.gelu " + a.ssa +
                                (approx ? " {approximate}" : "") + " : " +
                                t(a.shape),
                            a.shape, a.bound));
        return true;
      }
      if (op == "exp")
        pool.push_back(
            unary("exp", a.bound > 3 ? unary("tanh", a, 1) : a, 20.1));
      else if (op == "log" || op == "sqrt") {
        Val p = positive(a);
        pool.push_back(unary(
            op, p, op == "log" ? std::log(p.bound) + 2.4 : std::sqrt(p.bound)));
      } else
        pool.push_back(
            unary(op, a, op == "sigmoid" || op == "tanh" ? 1 : a.bound));
      return true;
    }
    case 2:
    case 3:
    case 4: { // binary
      static const char *ops[] = {"add", "sub", "mul", "div"};
      std::string op = ops[pick(0, 3)];
      if (!allowed(op))
        return false;
      Val b = partner(a);
      Val lhs = a, rhs = b;
      if (chance(0.5))
        std::swap(lhs, rhs);
      if (op == "div")
        rhs = positive(rhs);
      pool.push_back(squash(binary(op, lhs, rhs)));
      return true;
    }
    case 5: { // reductions
      if (rank == 0)
        return false;
      static const char *ops[] = {"reduce_sum", "reduce_mean", "reduce_max"};
      std::string op = ops[pick(0, 2)];
      if (!allowed(op))
        return false;
      std::vector<int64_t> axes;
      bool all = chance(0.15);
      if (!all) {
        for (int64_t k = 0; k < rank; ++k)
          if (chance(0.4))
            axes.push_back(k);
        if (axes.empty())
          axes.push_back(pick(0, rank - 1));
      }
      bool keep = chance(0.3);
      Shape r;
      double count = 1;
      for (int64_t k = 0; k < rank; ++k) {
        bool reduced =
            all || std::find(axes.begin(), axes.end(), k) != axes.end();
        if (reduced)
          count *= sizeBound(a.shape[k]);
        if (!reduced)
          r.push_back(a.shape[k]);
        else if (keep)
          r.push_back(Dim{1, 0});
      }
      std::string list = "[";
      for (size_t i = 0; i < axes.size(); ++i)
        list += (i ? ", " : "") + std::to_string(axes[i]);
      list += "]";
      pool.push_back(squash(emit(
          "mlc." + op + " " + a.ssa + " axes = " + list +
              (keep ? " keepdims" : "") + " : " + t(a.shape) + " -> " + t(r),
          r, op == "reduce_sum" ? a.bound * count : a.bound)));
      return true;
    }
    case 6: { // softmax
      if (rank == 0)
        return false;
      bool log = chance(0.4);
      if (!allowed(log ? "log_softmax" : "softmax"))
        return false;
      int64_t axis = pick(-rank, rank - 1);
      std::string attr =
          axis == -1 ? "" : " {axis = " + std::to_string(axis) + " : i64}";
      double count = sizeBound(a.shape[axis < 0 ? axis + rank : axis]);
      pool.push_back(
          emit(std::string(log ? "mlc.log_softmax " : "mlc.softmax ") + a.ssa +
                   attr + " : " + t(a.shape),
               a.shape, log ? 2 * a.bound + std::log(count) + 1 : 1));
      return true;
    }
    case 7: { // reshape
      int dynamic = 0;
      Dim dyn;
      std::vector<int64_t> primes;
      for (const Dim &d : a.shape) {
        if (d.sym) {
          ++dynamic;
          dyn = d;
          continue;
        }
        int64_t n = d.size;
        for (int64_t p = 2; p <= n; ++p)
          while (n % p == 0) {
            primes.push_back(p);
            n /= p;
          }
      }
      if (!allowed("reshape"))
        return false;
      auto reshapeTo = [&](const Shape &r) {
        if (r == a.shape)
          return false;
        pool.push_back(
            emit("mlc.reshape " + a.ssa + " : " + t(a.shape) + " -> " + t(r), r,
                 a.bound));
        return true;
      };
      if (dynamic > 1) {
        // Several dynamic sizes: only size-1 dimensions may come and go.
        Shape r;
        for (const Dim &d : a.shape)
          if (d.sym || d.size != 1 || chance(0.5))
            r.push_back(d);
        while (r.size() < 4 && chance(0.6))
          r.insert(r.begin() + pick(0, int64_t(r.size())), Dim{1, 0});
        return reshapeTo(r);
      }
      std::shuffle(primes.begin(), primes.end(), rng);
      int64_t maxStatic = 4 - dynamic;
      Shape r;
      for (int64_t p : primes) {
        if (!r.empty() && (int64_t(r.size()) >= maxStatic || chance(0.4)))
          r.back().size *= p;
        else
          r.push_back(Dim{p, 0});
      }
      while (int64_t(r.size()) < maxStatic && chance(0.25))
        r.insert(r.begin() + pick(0, int64_t(r.size())), Dim{1, 0});
      if (dynamic) {
        size_t at = dyn.sym == 'B' ? 0 : std::min<size_t>(1, r.size());
        r.insert(r.begin() + at, dyn);
      }
      if (r.empty())
        r.push_back(Dim{1, 0});
      return reshapeTo(r);
    }
    case 8: { // transpose
      if (rank < 2 || !allowed("transpose"))
        return false;
      std::vector<int64_t> perm(rank);
      for (int64_t k = 0; k < rank; ++k)
        perm[k] = k;
      std::shuffle(perm.begin(), perm.end(), rng);
      Shape r;
      std::string list = "[";
      for (int64_t k = 0; k < rank; ++k) {
        r.push_back(a.shape[perm[k]]);
        list += (k ? ", " : "") + std::to_string(perm[k]);
      }
      pool.push_back(emit("mlc.transpose " + a.ssa + " perm = " + list +
                              "] : " + t(a.shape) + " -> " + t(r),
                          r, a.bound));
      return true;
    }
    case 9: { // broadcast_to
      if (rank >= 4 || !allowed("broadcast_to"))
        return false;
      Shape r = a.shape;
      for (Dim &d : r)
        if (!d.sym && d.size == 1 && chance(0.5))
          d.size = pick(2, 3);
      r.insert(r.begin(), Dim{pick(1, 3), 0});
      pool.push_back(
          emit("mlc.broadcast_to " + a.ssa + " : " + t(a.shape) + " -> " + t(r),
               r, a.bound));
      return true;
    }
    case 10: { // matmul
      if (rank < 2 || !allowed("matmul"))
        return false;
      bool tl = chance(0.2), tr = chance(0.3);
      Dim m = a.shape[rank - 2], k = a.shape[rank - 1];
      if (tl)
        std::swap(m, k);
      Shape batch(a.shape.begin(), a.shape.end() - 2);
      // Sometimes as wide as a register tile's panel on every target (8,
      // 16 or 32 floats), so the CPU schedule packs the right operand, or
      // wider than one tile but not a multiple of one (70 = 2 x 32 + 6),
      // so it peels a narrower last column tile.
      Dim n{chance(0.15) ? 32 : chance(0.1) ? 70 : pick(1, 5), 0};
      auto operandShape = [&](const Shape &b) {
        Shape s = b;
        s.push_back(tr ? n : k);
        s.push_back(tr ? k : n);
        return s;
      };
      Val rhs;
      std::vector<const Val *> fits;
      for (const Val &v : pool) {
        size_t vr = v.shape.size();
        if (vr < 2 || !(v.shape[tr ? vr - 1 : vr - 2] == k))
          continue;
        Shape vb(v.shape.begin(), v.shape.end() - 2);
        if (broadcastsInto(vb, batch) || broadcastsInto(batch, vb))
          fits.push_back(&v);
      }
      if (!fits.empty() && chance(0.4)) {
        rhs = *fits[pick(0, int64_t(fits.size()) - 1)];
        size_t vr = rhs.shape.size();
        n = rhs.shape[tr ? vr - 2 : vr - 1];
      } else if (!k.sym && chance(0.6)) {
        rhs = leaf(operandShape({}), true, -1, 1);
      } else {
        Shape b(batch.end() - pick(0, int64_t(batch.size())), batch.end());
        Shape s = operandShape(b);
        for (size_t j = 0; j < s.size(); ++j)
          if (s[j].sym && s[j].sym != canonicalSym(j)) {
            if (j + 2 >= s.size())
              return false; // K would sit where buffers expect another size
            s[j] = Dim{1, 0};
          }
        rhs = input(s, -1, 1);
      }
      Shape rb(rhs.shape.begin(), rhs.shape.end() - 2);
      Shape r = broadcast(batch, rb);
      r.push_back(m);
      r.push_back(n);
      std::string attrs;
      if (tl || tr)
        attrs = std::string(" {") + (tl ? "transpose_lhs" : "") +
                (tl && tr ? ", " : "") + (tr ? "transpose_rhs" : "") + "}";
      pool.push_back(
          squash(emit("mlc.matmul " + a.ssa + ", " + rhs.ssa + attrs + " : (" +
                          t(a.shape) + ", " + t(rhs.shape) + ") -> " + t(r),
                      r, a.bound * rhs.bound * sizeBound(k))));
      return true;
    }
    case 11: // convolution and pooling
      return window(a);
    case 12: // layers whose training form differs
      return chance(0.5) ? batchNorm(a) : dropout(a);
    case 13:
      return slice(a);
    case 14:
      return chance(0.5) ? lstm(a) : gru(a);
    case 15:
      return gather(a);
    case 16:
      return where(a);
    case 17:
      return concat(a);
    case 18:
      return attention(a);
    default: { // clip
      if (!allowed("clip"))
        return false;
      double lo = -uni(0, 1.5), hi = uni(0.05, 1.5);
      pool.push_back(emit("mlc.clip " + a.ssa + " {max = " + num(hi) +
                              " : f64, min = " + num(lo) +
                              " : f64} : " + t(a.shape),
                          a.shape, std::max(-lo, hi)));
      return true;
    }
    }
  }

  /// mlc.apply_batch_norm on `a` (channels last, static): the tester
  /// checks its training form, so the batch's statistics normalize and
  /// every element's gradient flows through them.
  bool batchNorm(const Val &a) {
    int64_t rank = int64_t(a.shape.size());
    if (rank < 2 || a.shape.back().sym || !allowed("apply_batch_norm"))
      return false;
    Shape c = {a.shape.back()};
    Val gamma = leaf(c, true, 0.5, 2), beta = leaf(c, true, -1, 1);
    Val mean = newLeaf(c), var = leaf(c, chance(0.5), 0.5, 2);
    static const char *epsilons[] = {"1.0e-03", "1.0e-02", "5.0e-01"};
    double count = 1;
    for (int64_t k = 0; k + 1 < rank; ++k)
      count *= sizeBound(a.shape[k]);
    std::string y = fresh();
    g.body.push_back(
        y + ", " + fresh() + ", " + fresh() + " = mlc.apply_batch_norm " +
        a.ssa + ", " + gamma.ssa + ", " + beta.ssa + ", " + mean.ssa + ", " +
        var.ssa + " {momentum = 0.99 : f64, epsilon = " + epsilons[pick(0, 2)] +
        " : f64} : " + t(a.shape) + ", " + t(c));
    // |normalized| <= sqrt(count) per channel.
    pool.push_back(Val{y, a.shape, 2 * std::sqrt(count) + 1});
    return true;
  }

  /// mlc.apply_dropout on `a` with a constant random state (the tester
  /// checks its training form: `a` times a mask from the state).
  bool dropout(const Val &a) {
    if (!allowed("apply_dropout"))
      return false;
    // Rates that are exact in f32, so both sides compare the same number.
    static const double rates[] = {0.125, 0.25, 0.5, 0.75};
    double rate = rates[pick(0, 3)];
    std::string state = fresh();
    g.body.push_back(state + " = mlc.constant dense<[" + num(uni(-1e3, 1e3)) +
                     ", " + num(uni(-1e3, 1e3)) + "]> : tensor<2xf32>");
    pool.push_back(emit("mlc.apply_dropout " + a.ssa + ", " + state +
                            " {rate = " + num(rate) +
                            " : f64, stream = " + std::to_string(pick(0, 9)) +
                            " : i64} : " + t(a.shape) + ", tensor<2xf32>",
                        a.shape, a.bound / (1 - rate)));
    return true;
  }

  /// mlc.conv, mlc.max_pool or mlc.avg_pool on `a` when it is NHWC with
  /// static height, width and channels (the batch static or dynamic), else
  /// on a new NHWC input: random windows, strides, dilations and pads
  /// within the ops' rules.
  bool window(const Val &given) {
    static const char *ops[] = {"conv", "depthwise_conv", "max_pool",
                                "avg_pool"};
    std::string op = ops[pick(0, 3)];
    if (!allowed(op))
      return false;
    const Shape &gs = given.shape;
    bool nhwc = gs.size() == 4 && (!gs[0].sym || gs[0].sym == 'B') &&
                !gs[1].sym && !gs[2].sym && !gs[3].sym && gs[1].size >= 2 &&
                gs[2].size >= 2 && gs[3].size <= 8;
    Val a = nhwc ? given
                 : input({chance(0.8) ? Dim{1, 'B'} : Dim{pick(1, 2), 0},
                          Dim{pick(2, 7), 0}, Dim{pick(2, 7), 0},
                          Dim{pick(1, 3), 0}});
    int64_t h = a.shape[1].size, w = a.shape[2].size, c = a.shape[3].size;
    bool depthwise = op == "depthwise_conv";
    bool conv = op == "conv" || depthwise;
    int64_t kh = pick(1, std::min<int64_t>(h, 3)),
            kw = pick(1, std::min<int64_t>(w, 3));
    int64_t sh = pick(1, 2), sw = pick(1, 2);
    int64_t dh = conv && kh > 1 && h >= 2 * kh - 1 && chance(0.3) ? 2 : 1;
    int64_t dw = conv && kw > 1 && w >= 2 * kw - 1 && chance(0.3) ? 2 : 1;
    // Pads: at most the window's extent minus one (conv), below the
    // window (pooling).
    int64_t extents[4] = {(kh - 1) * dh, (kh - 1) * dh, (kw - 1) * dw,
                          (kw - 1) * dw};
    int64_t pads[4];
    for (int k = 0; k < 4; ++k)
      pads[k] = chance(0.4) ? pick(0, extents[k]) : 0;
    int64_t oh = (h + pads[0] + pads[1] - (kh - 1) * dh - 1) / sh + 1;
    int64_t ow = (w + pads[2] + pads[3] - (kw - 1) * dw - 1) / sw + 1;
    std::string list = [](std::initializer_list<int64_t> v) {
      std::string s = "array<i64: ";
      bool first = true;
      for (int64_t x : v) {
        s += (first ? "" : ", ") + std::to_string(x);
        first = false;
      }
      return s + ">";
    }({pads[0], pads[1], pads[2], pads[3]});
    auto pair = [](int64_t x, int64_t y) {
      return "array<i64: " + std::to_string(x) + ", " + std::to_string(y) + ">";
    };
    if (conv) {
      // Output channels, or a depthwise convolution's filters per channel.
      int64_t o = depthwise ? pick(1, 3) : chance(0.2) ? 17 : pick(1, 4);
      Val k = leaf({Dim{kh, 0}, Dim{kw, 0}, Dim{c, 0}, Dim{o, 0}}, true, -1, 1);
      Shape r = {a.shape[0], Dim{oh, 0}, Dim{ow, 0},
                 Dim{depthwise ? c * o : o, 0}};
      pool.push_back(squash(
          emit("mlc." + op + " " + a.ssa + ", " + k.ssa +
                   " {strides = " + pair(sh, sw) +
                   ", dilations = " + pair(dh, dw) + ", pads = " + list +
                   "} : (" + t(a.shape) + ", " + t(k.shape) + ") -> " + t(r),
               r, a.bound * double(kh * kw * (depthwise ? 1 : c)))));
      return true;
    }
    Shape r = {a.shape[0], Dim{oh, 0}, Dim{ow, 0}, Dim{c, 0}};
    pool.push_back(emit("mlc." + op + " " + a.ssa +
                            " {window = " + pair(kh, kw) +
                            ", strides = " + pair(sh, sw) + ", pads = " + list +
                            "} : " + t(a.shape) + " -> " + t(r),
                        r, a.bound));
    return true;
  }

  /// Reduces the dynamic dimensions that sit where entry-point buffers
  /// expect another size, then applies a random loss.
  void finish() {
    Val y = pool.back();
    for (bool changed = true; changed;) {
      changed = false;
      for (size_t k = 0; k < y.shape.size(); ++k)
        if (y.shape[k].sym && y.shape[k].sym != canonicalSym(k)) {
          Shape r = y.shape;
          r.erase(r.begin() + k);
          y = emit("mlc.reduce_sum " + y.ssa + " axes = [" + std::to_string(k) +
                       "] : " + t(y.shape) + " -> " + t(r),
                   r, y.bound * 4);
          changed = true;
          break;
        }
    }
    g.y = y.ssa;
    g.yShape = y.shape;
    g.outputY = isCanonical(y.shape);
    std::string l = "%" + g.prefix + "l", T = t(y.shape);
    int64_t rank = int64_t(y.shape.size());
    bool classes = rank >= 1 && !y.shape.back().sym && y.shape.back().size >= 2;
    std::vector<std::string> kinds = {"weighted", "mse"};
    if (rank == 0)
      kinds = {"square"};
    if (classes)
      kinds.push_back("cce_logits");
    if (classes && rank >= 2)
      kinds.push_back("scce_logits");
    if (rank >= 1)
      kinds.push_back("bce_logits");
    if (classes)
      kinds.push_back("cce");
    if (classes && rank >= 2)
      kinds.push_back("scce");
    if (rank >= 1)
      kinds.push_back("bce");
    g.loss = kinds[pick(0, int64_t(kinds.size()) - 1)];
    std::string lossT = " : (" + T + ", " + T + ") -> " + scalarType();
    // Probabilities for the losses that take them: a softmax (categorical)
    // or sigmoid output, which the compiler turns back into logits, or
    // values in (0, 1) that are neither (and rows that don't sum to 1).
    Val probs = y;
    if (g.loss == "cce" || g.loss == "scce" || g.loss == "bce") {
      int64_t how = pick(0, g.loss == "bce" ? 1 : 2);
      if (how == 0) {
        probs = unary("sigmoid", y, 1);
      } else if (how == 1) {
        Val s = unary("sigmoid", y, 1);
        probs = binary("add", binary("mul", s, rank0Constant(0.9)),
                       rank0Constant(0.05));
      } else {
        probs = emit("mlc.softmax " + y.ssa + " : " + T, y.shape, 1);
      }
    }
    if (g.loss == "square") {
      g.body.push_back(l + " = mlc.mul " + y.ssa + ", " + y.ssa + " : (" + T +
                       ", " + T + ") -> " + scalarType());
    } else if (g.loss == "weighted") {
      Val w = input(y.shape, -1, 1);
      Val yw = binary("mul", y, w);
      g.body.push_back(l + " = mlc.reduce_sum " + yw.ssa + " axes = [] : " + T +
                       " -> " + scalarType());
    } else if (g.loss == "mse") {
      Val target = input(y.shape);
      g.body.push_back(l + " = mlc.mse " + y.ssa + ", " + target.ssa + lossT);
    } else if (g.loss == "cce_logits" || g.loss == "bce_logits") {
      Val target = input(y.shape, 0, 1);
      g.body.push_back(l + " = mlc." +
                       (g.loss == "cce_logits" ? "categorical_crossentropy "
                                               : "binary_crossentropy ") +
                       y.ssa + ", " + target.ssa + " {from_logits}" + lossT);
    } else if (g.loss == "cce" || g.loss == "bce") {
      Val target = input(y.shape, 0, 1);
      g.body.push_back(l + " = mlc." +
                       (g.loss == "cce" ? "categorical_crossentropy "
                                        : "binary_crossentropy ") +
                       probs.ssa + ", " + target.ssa + lossT);
    } else { // scce_logits, scce
      Shape ls(y.shape.begin(), y.shape.end() - 1);
      std::string labels = intInput(ls, y.shape.back().size);
      std::string LT = typeStr(ls, "i32");
      bool logits = g.loss == "scce_logits";
      g.body.push_back(l + " = mlc.sparse_categorical_crossentropy " +
                       (logits ? y.ssa : probs.ssa) + ", " + labels +
                       (logits ? " {from_logits}" : "") + " : (" + T + ", " +
                       LT + ") -> " + scalarType());
    }
  }
};

std::string gradientLines(const std::string &loss, const std::string &elt,
                          const std::vector<const Leaf *> &leaves,
                          std::string &outs, std::string &outTypes) {
  std::string names, types;
  for (const Leaf *leaf : leaves) {
    names += (names.empty() ? "%" : ", %") + leaf->name;
    types += ", " + typeStr(leaf->shape, elt);
    outs += ", %d_" + leaf->name;
    outTypes += ", " + typeStr(leaf->shape, elt);
  }
  std::string results;
  for (const Leaf *leaf : leaves)
    results += (results.empty() ? "%d_" : ", %d_") + leaf->name;
  return "  " + results + " = mlc.gradient " + loss + " wrt " + names +
         " : tensor<" + elt + ">" + types + "\n";
}

} // namespace

std::string Graph::modelText(const std::string &name) const {
  std::string s = "mlc.model @" + name + " {\n";
  for (const std::string &line : body)
    s += "  " + line + "\n";
  std::string outs = "%" + prefix + "l", outTypes = "tensor<" + elt + ">";
  if (outputY) {
    outs += ", " + y;
    outTypes += ", " + typeStr(yShape, elt);
  }
  s += gradientLines("%" + prefix + "l", elt, floatLeaves(*this), outs,
                     outTypes);
  return s + "  mlc.output " + outs + " : " + outTypes + "\n}\n";
}

void mlc::difftest::excludeOps(const std::vector<std::string> &ops) {
  excluded().insert(ops.begin(), ops.end());
}

std::string mlc::difftest::elementTypeOf(uint64_t seed, uint64_t index) {
  uint64_t h = (seed * 0x9E3779B97F4A7C15ull) ^ (index / 8 + 1);
  h *= 0xBF58476D1CE4E5B9ull;
  return (h >> 33) % 3 == 0 ? "f32" : "f64";
}

Graph mlc::difftest::generate(uint64_t seed, uint64_t index,
                              const std::string &prefix) {
  return Gen(seed, index, prefix, elementTypeOf(seed, index)).run();
}

std::string mlc::difftest::packText(const std::vector<Graph> &graphs) {
  const std::string &elt = graphs.front().elt;
  std::string scalar = "tensor<" + elt + ">";
  std::string s = "mlc.model @pack {\n";
  for (const Graph &g : graphs)
    for (const std::string &line : g.body)
      s += "  " + line + "\n";
  std::string total = "%" + graphs[0].prefix + "l";
  for (size_t i = 1; i < graphs.size(); ++i) {
    std::string next = "%total" + std::to_string(i);
    s += "  " + next + " = mlc.add " + total + ", %" + graphs[i].prefix +
         "l : (" + scalar + ", " + scalar + ") -> " + scalar + "\n";
    total = next;
  }
  std::string outs, outTypes;
  for (const Graph &g : graphs) {
    outs += (outs.empty() ? "%" : ", %") + g.prefix + "l";
    outTypes += (outTypes.empty() ? "" : ", ") + scalar;
  }
  for (const Graph &g : graphs)
    if (g.outputY) {
      outs += ", " + g.y;
      outTypes += ", " + typeStr(g.yShape, elt);
    }
  std::vector<const Leaf *> leaves;
  for (const Graph &g : graphs)
    for (const Leaf *leaf : floatLeaves(g))
      leaves.push_back(leaf);
  s += gradientLines(total, elt, leaves, outs, outTypes);
  return s + "  mlc.output " + outs + " : " + outTypes + "\n}\n";
}
