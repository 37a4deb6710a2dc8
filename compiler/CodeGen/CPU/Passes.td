//===- Passes.td - CPU code generation passes --------------*- tablegen -*-===//

#ifndef MLC_CODEGEN_CPU_PASSES_TD
#define MLC_CODEGEN_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def CPUSchedule : Pass<"mlc-cpu-schedule", "::mlir::ModuleOp"> {
  let summary = "Tile, fuse, vectorize and bufferize linalg for the host CPU";
  let description = [{
    Writes and runs transform-dialect scripts over the module:

    * every `linalg.matmul` (with its zero fill) is tiled into output tiles
      of 2 vector registers' width and as many rows as the register file
      holds (8 x 32 floats with AVX-512's 32 registers, 6 x 16 with AVX2's
      16, 6 x 8 with SSE; 4 rows when an optimizer update is fused after
      it), its reduction runs one step at a time on a vector accumulator
      kept in registers, and an elementwise consumer of the result (bias +
      activation, or the optimizer update) is fused into the tile, so the
      matmul result never reaches memory;
    * a row dimension that can end in a partial tile (the dynamic batch, or
      a static size without a fitting divisor) is peeled: the last, partial
      tile is redone one row at a time, also without masks;
    * operands the tiles would read with a stride are first copied into
      contiguous panels (`pack-operands`): B in panels of the tile's width,
      a transposed B (the backward dX = dY W^T) transposed into them in
      8 x width blocks, a transposed A (the weight gradient's X^T) in
      panels of the tile's rows; the copies run after bufferization and,
      marked `mlc.parallel`, in parallel with `--threads`;
    * the module is then bufferized (copies as `linalg.copy`), accumulator
      transfers are hoisted out of the reduction loop, and vector ops are
      lowered to outer products and 1-D transfers.

    Ops the script does not cover stay linalg and become loops later.
  }];
  let options = [
    Option<"printSchedule", "print-schedule", "bool", "false",
           "Print the transform script to stderr before running it">,
    Option<"vectorBits", "vector-bits", "unsigned", "512",
           "Vector register width of the target: 512 (AVX-512), 256 (AVX2), "
           "128 (SSE, NEON). Register tiles are 2 vectors wide.">,
    Option<"vectorRegisters", "vector-registers", "unsigned", "0",
           "Vector registers of the target (0: 32 with 512-bit vectors, "
           "else 16); register tiles get as many rows as fit">,
    Option<"packOperands", "pack-operands", "bool", "true",
           "Copy matmul operands that register tiles would read with a "
           "stride (B, B^T, A^T) into contiguous panels before the matmul">,
    Option<"parallelPacks", "parallel-packs", "bool", "true",
           "Mark the loops over packed panels parallel (for "
           "mlc-parallelize-tiles)">,
    Option<"packLhs", "pack-lhs", "bool", "true",
           "With pack-operands: pack a transposed A too">,
    Option<"bf16Matmuls", "bf16-matmuls", "bool", "false",
           "Matmuls with an even or dynamic K (padded with a zero row when "
           "odd) and a width of whole vectors "
           "multiply bf16 operands into f32 accumulators with AVX512-BF16 "
           "dot products (vdpbf16ps); the target must have them">,
    Option<"columnsOuterBytes", "columns-outer-bytes", "int64_t", "0",
           "Put the loop over column tiles outside the loop over row tiles "
           "when the matmul's B (K x N, static) is larger than this many "
           "bytes, so B streams from memory once instead of once per row "
           "tile (0: never; the driver passes half the host's L3)">,
    Option<"shareGroups", "share-groups", "bool", "false",
           "Schedule each distinct matmul group once: groups that are the "
           "same ops on the same types (a deep MLP's hidden layers, "
           "predict's layers in eval_step) are moved into one function, "
           "scheduled there and copied back before bufferization "
           "(not with bf16-matmuls)">,
    Option<"tileTable", "tile-table", "std::string", "",
           "Register tiles per matmul shape, overriding the derived ones: "
           "KEY=TILE entries joined by ';' (see compiler/CodeGen/CPU/"
           "Tiles.h; `mlc tune` measures them), e.g. "
           "mm?x128x784.ew=4x3;mm784x128x?.at.opt=6x2/cols-outer">,
  ];
  let dependentDialects = ["::mlir::transform::TransformDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::x86vector::X86VectorDialect"];
}

def WidenChannels : Pass<"mlc-widen-channels"> {
  let summary = "Run per-pixel ops over few channels on rows of whole vectors";
  let description = [{
    Run before `mlc-cpu-schedule`, on linalg on tensors. A `linalg.generic`
    over `[n, pixel dims..., c]` (the pixel dims static) whose innermost
    loop `c` is parallel and not a whole number of vectors (a convnet's 6
    or 3 channels) runs over `[n, pixels / k, k * c]` instead, `k`
    pixels to a row: `k * c` is a whole number of vectors and `k` divides
    the pixels (at most 512 floats when operands are repeated, else every
    pixel in one row). Its operands must be whole tensors indexed by every
    loop in order, per-channel vectors (`[1, ..., 1, c]`, indexed by `c`;
    repeated `k` times first) or scalars. Either every loop is parallel
    (an elementwise op: a batch norm's normalization, a relu's gradient)
    or every loop but `c` is a reduction whose outputs are per-channel
    sums (`out + f(ins)`, a batch norm's statistics and its gradient's):
    those keep `k * c` partial sums from zero, added into the output per
    channel after the op, so the sums are taken in another order. What
    the body computes from its per-channel operands alone (a batch norm's
    gamma over its standard deviation) is computed once per channel, by
    the op that repeats it, instead of once per element.

    LLVM does not vectorize a loop of 6, and such a sum stayed a scalar
    loop through memory: in LeNet these ops were about a third of the
    train step. Not rewritten: ops with `mlc.*` attributes (the schedule's
    pooling windows and convolutions), a convolution's elementwise
    epilogue (fused into its tiles), ops that read their indices.
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "unsigned", "512",
           "Vector register width of the target (a row is a whole number of "
           "vectors of 32-bit lanes)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def ParallelizeTiles : Pass<"mlc-parallelize-tiles", "::mlir::func::FuncOp"> {
  let summary = "Run the full-tile loops of the CPU schedule in parallel";
  let description = [{
    Run right after `mlc-cpu-schedule`: the loops directly in a function
    body are then the schedule's loops over row tiles (recognized by the
    register-tile reduction loop inside), and the loops the schedule
    marked `mlc.parallel` (its copies into packed panels). Every iteration
    writes its own tile or panel and nothing else, so each becomes an
    `scf.parallel` (which
    `convert-scf-to-openmp` turns into an OpenMP work-sharing loop). No
    value is combined across iterations, so results do not depend on the
    thread count.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect"];
}

def ParallelMinWork : Pass<"mlc-parallel-min-work", "::mlir::ModuleOp"> {
  let summary = "Run OpenMP regions that would gain little on the calling thread";
  let description = [{
    Run after `convert-scf-to-openmp`. Lets each `omp.parallel` around one
    work-sharing loop (that has no `if` yet) fork only when the work the
    other threads would take off the calling thread reaches `min-work`; a
    region with less runs on the calling thread alone, without waking the
    others (below: as plain loops, a serial copy, or through an `if`
    clause). A fork and join costs microseconds: more than a 10-column
    layer's whole work at the seed's batch sizes, and a loop of one
    iteration (a batch of one row tile) gains nothing from threads.

    The work is estimated from the loops: each operation counts one unit
    per 8 vector lanes (one for a scalar), a load or store four times
    that (data a copy streams comes from beyond the L1), times the trip
    counts of the loops around it. A trip count is computed where the
    region starts when its bounds are defined outside the region (a batch
    size), else taken as 16. With static scheduling the calling thread runs
    `ceil(n / threads)` of the loop's `n` iterations, so the others take
    `n - ceil(n / threads)` iterations' work. A region whose estimate is a
    constant above `min-work` gets no clause, and one whose estimate is a
    constant below it becomes plain loops. Results are the same either
    way: every iteration writes its own tile.

    A region whose work depends on the batch and that holds at most
    `max-copied-ops` operations (a softmax's row loop, a copy) becomes
    `scf.if` over the region and a serial copy of its loops: libomp's
    serialized region costs about a microsecond, the test nothing. A
    larger one (a matmul's register tiles, full or remainder) gets an
    `if` clause instead, so its code is compiled once: copying every
    region made the seed's threaded compile 18 % longer. Where libomp
    runs a region serialized it clears the floating-point exception flags at its
    end (x86); so each region given a clause adds every thread's flags
    (`fetestexcept`) to a word, and the calling thread raises them
    (`feraiseexcept`) after the region. (A module pass: it declares those
    two functions.)
  }];
  let options = [
    Option<"minWork", "min-work", "int64_t", /*default=*/"20000",
           "Least work (units of about one vector instruction) the other "
           "threads must take for a region to fork; 0: always fork">,
    Option<"threads", "threads", "unsigned", /*default=*/"0",
           "Threads of a team (0: not known at compile time, taken as 2)">,
    Option<"maxCopiedOps", "max-copied-ops", "int64_t", /*default=*/"60",
           "Largest region (operations) given a serial copy instead of an "
           "if clause">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def BufferDeallocation
    : Pass<"mlc-buffer-deallocation", "::mlir::ModuleOp"> {
  let summary = "Free the buffers left after mlc-workspace, if there are any";
  let description = [{
    Runs upstream's ownership-based deallocation
    (`ownership-based-buffer-deallocation`, then `canonicalize` and
    `buffer-deallocation-simplification` on each function, then
    `bufferization-lower-deallocations`) when the module allocates
    anything that must be freed (an op with an allocation effect on heap
    memory: `memref.alloc`, `memref.realloc`, `bufferization.clone`), and
    nothing otherwise. After `mlc-workspace` most models have no such op
    (their temporaries are slices of the caller's workspace), and those
    passes then only walked the module: about 18 ms of the seed MLP's
    MLIR pipeline (`mlc-opt --mlir-timing`), on one thread for the two
    module-level passes. The code is the same either way but for the order
    of constants (the skipped canonicalization), checked on 7 of the
    example and bench models.
  }];
}

def ApproximateMath : Pass<"mlc-approximate-math"> {
  let summary = "Inline polynomial exp, log and erf on f32 so their loops vectorize";
  let description = [{
    Rewrites `math.exp`, `math.log` and `math.erf` on `f32` (scalars and
    vectors) into
    upstream MLIR's polynomial approximations: range reduction plus a
    polynomial, a handful of `arith` and `math.fma` ops, no call. A libm
    call in a loop keeps LLVM from vectorizing it and costs a call per
    element; these are the softmax, log-softmax and cross-entropy loops, and
    GELU's (erf: exact GELU within 1.4e-7 max(1, |x|) of the double formula).
    For normal results the error is at most 4 units in the last place (exp)
    and 2 (log); infinities, zero, NaN and negative log arguments keep their
    meaning; results below 2^-126 flush to zero and denormal log arguments
    read as 2^-126 (test/unit/OpsJITTest.cpp compares with double
    precision). mlc runs it only with flushed denormals and on CPUs with
    fused multiply-add. Other math ops are left alone, and so are other
    types but for `math.erf` on vectors of them (f64), which becomes one
    scalar `math.erf` per element: `convert-math-to-libm` would split it
    only after the vector ops are lowered.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

def FoldMemRefAliases : Pass<"mlc-fold-memref-aliases"> {
  let summary = "Fold memref views into the loads and stores that use them";
  let description = [{
    Upstream's `fold-memref-alias-ops` patterns (index arithmetic on the
    view's source instead of a view), plus one case they get wrong in
    MLIR 22: a `vector.load`, `vector.store`, `vector.maskedload` or
    `vector.maskedstore` through a `memref.expand_shape` of a rank-0
    memref (a keepdims reduction to `1x1`, a scalar reshaped to `1x1`) is
    folded by upstream into a vector access of the rank-0 memref, which
    the verifier rejects. Here such an access becomes a scalar
    `memref.load` or `memref.store` of the single element, with the vector
    built by `vector.broadcast` or taken apart by `vector.extract`.
  }];
  let dependentDialects = ["::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def OutlineKernels : Pass<"mlc-outline-kernels", "::mlir::ModuleOp"> {
  let summary = "Move each loop nest of a function into a function of its "
                "own, one per distinct loop nest";
  let description = [{
    Run on loops over buffers (after `convert-linalg-to-loops`): each loop
    directly in a function's body (`scf.for`, `scf.parallel`) without
    results and with at least `min-ops` ops becomes a private function
    called in its place. The values the loop uses from around it become
    the function's arguments, but for constants, which are copied in.
    Loop nests that are the same ops on the same argument types (the
    layers of one width in a deep MLP, the forward pass in `predict`,
    `eval_step` and `train_step`) then share one function: the code after
    the schedule (the lowering to LLVM, LLVM's optimizer and instruction
    selection) handles each distinct loop nest once. The functions are
    also the units the JIT compiles in parallel (one entry point was
    one unit before).
  }];
  let options = [
    Option<"minOps", "min-ops", "unsigned", "3",
           "Loops with fewer ops (the loop and all ops inside) stay inline">,
    Option<"share", "share", "bool", "true",
           "Give the same loop nests one function (off: one function per "
           "loop nest, each with its own locations, for --debug-info's line "
           "tables)">,
  ];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::LLVM::LLVMDialect"];
}

#endif // MLC_CODEGEN_CPU_PASSES_TD
