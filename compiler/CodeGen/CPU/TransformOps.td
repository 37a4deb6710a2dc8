//===- TransformOps.td - mlc's transform ops for the CPU schedule -*- tablegen -*-===//

#ifndef MLC_CODEGEN_CPU_TRANSFORMOPS_TD
#define MLC_CODEGEN_CPU_TRANSFORMOPS_TD

include "mlir/Dialect/Transform/IR/TransformDialect.td"
include "mlir/Dialect/Transform/Interfaces/TransformInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/OpBase.td"

def FuseIntoLoopOp : Op<Transform_Dialect, "mlc.fuse_into_loop",
    [DeclareOpInterfaceMethods<TransformOpInterface>,
     DeclareOpInterfaceMethods<MemoryEffectsOpInterface>,
     ReportTrackingListenerFailuresOpTrait]> {
  let summary = "Tiles producers into the slices a loop takes of them";
  let description = [{
    For each producer (an op with the `TilingInterface`), every
    `tensor.extract_slice` of one of its results inside `loop` is replaced
    by the producer tiled to that slice, computed in its place. A producer
    that is instead the initial value of a nest of tile loops around
    `loop` (the zero fill of the output they accumulate) is tiled into the
    slice `loop` takes of the value it carries, and the outermost loop
    starts from the producer's destination. Returns the tiled ops and the
    loop, which is unchanged.

    What `transform.structured.fuse_into_containing_op` does for a slice
    in an `scf.for`, without building the diagnostic of a failure before
    trying: upstream prints the producer and the loop for it, and printing
    an op numbers every value of its function (mlc-cpu-schedule spent 28 %
    of a 10-layer MLP's schedule there). A producer with no slice in the
    loop, or one that cannot be tiled, is a silenceable failure.
  }];
  let arguments = (ins TransformHandleTypeInterface:$producer,
                       TransformHandleTypeInterface:$loop);
  let results = (outs TransformHandleTypeInterface:$fused,
                      TransformHandleTypeInterface:$new_loop);
  let assemblyFormat = [{
    $producer `into` $loop attr-dict `:` functional-type(operands, results)
  }];
  let cppNamespace = "::mlc";
}

#endif // MLC_CODEGEN_CPU_TRANSFORMOPS_TD
