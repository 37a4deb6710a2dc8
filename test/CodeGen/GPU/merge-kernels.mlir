// mlc-gpu-merge-kernels: the gpu.modules of gpu-kernel-outlining (one per
// kernel) become one, @mlc_kernels, after the host code; each kernel is
// named after the module it came from, and every gpu.launch_func follows
// it; functions the kernels call keep their names. Host code is left as it
// was; a module without kernels gets no @mlc_kernels.
// RUN: mlc-opt %s --split-input-file --verify-diagnostics --allow-unregistered-dialect --mlc-gpu-merge-kernels | FileCheck %s

// Kernels outlined as gpu-kernel-outlining names them (@step_kernel and
// @step_kernel_0, each in a module of its name), and one whose name is not
// its module's; launched from two functions, one kernel twice.
// CHECK-LABEL: func.func @step(
// CHECK-SAME:      %[[A:.*]]: memref<16xf32>)
// CHECK:           gpu.launch_func @mlc_kernels::@step_kernel blocks in (%c1, %c1, %c1) threads in (%c16, %c1, %c1) args(%[[A]] : memref<16xf32>)
// CHECK-NEXT:      gpu.launch_func @mlc_kernels::@step_kernel_0 blocks in (%c1, %c1, %c1) threads in (%c16, %c1, %c1) args(%[[A]] : memref<16xf32>)
// CHECK-NEXT:      gpu.launch_func @mlc_kernels::@step_kernel blocks
// CHECK:         func.func @again(
// CHECK:           gpu.launch_func @mlc_kernels::@other_kernel blocks
// CHECK-NOT:     gpu.module @step_kernel
// CHECK-NOT:     gpu.module @other_kernel
// CHECK:         gpu.module @mlc_kernels {
// CHECK-NEXT:      gpu.func @step_kernel(%{{.*}}: memref<16xf32>) kernel {
// CHECK:             arith.addf
// CHECK:           gpu.func @step_kernel_0(%{{.*}}: memref<16xf32>) kernel {
// CHECK:             arith.mulf
// CHECK:           gpu.func @other_kernel(%{{.*}}: memref<16xf32>) kernel {
// CHECK:             arith.subf
// CHECK:         }
// CHECK-NOT:     gpu.module
module attributes {gpu.container_module} {
  func.func @step(%a: memref<16xf32>) {
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    gpu.launch_func @step_kernel::@step_kernel blocks in (%c1, %c1, %c1) threads in (%c16, %c1, %c1) args(%a : memref<16xf32>)
    gpu.launch_func @step_kernel_0::@step_kernel_0 blocks in (%c1, %c1, %c1) threads in (%c16, %c1, %c1) args(%a : memref<16xf32>)
    gpu.launch_func @step_kernel::@step_kernel blocks in (%c1, %c1, %c1) threads in (%c16, %c1, %c1) args(%a : memref<16xf32>)
    return
  }
  gpu.module @step_kernel {
    gpu.func @step_kernel(%a: memref<16xf32>) kernel {
      %i = gpu.thread_id x
      %x = memref.load %a[%i] : memref<16xf32>
      %y = arith.addf %x, %x : f32
      memref.store %y, %a[%i] : memref<16xf32>
      gpu.return
    }
  }
  gpu.module @step_kernel_0 {
    gpu.func @step_kernel_0(%a: memref<16xf32>) kernel {
      %i = gpu.thread_id x
      %x = memref.load %a[%i] : memref<16xf32>
      %y = arith.mulf %x, %x : f32
      memref.store %y, %a[%i] : memref<16xf32>
      gpu.return
    }
  }
  func.func @again(%a: memref<16xf32>) {
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    gpu.launch_func @other_kernel::@step_kernel blocks in (%c1, %c1, %c1) threads in (%c16, %c1, %c1) args(%a : memref<16xf32>)
    return
  }
  gpu.module @other_kernel {
    gpu.func @step_kernel(%a: memref<16xf32>) kernel {
      %i = gpu.thread_id x
      %x = memref.load %a[%i] : memref<16xf32>
      %y = arith.subf %x, %x : f32
      memref.store %y, %a[%i] : memref<16xf32>
      gpu.return
    }
  }
}

// -----

// Outlining copies a function that kernels call into each of their
// modules. It keeps its name (a second copy gets a suffix), and the calls
// follow it.
// CHECK-LABEL: func.func @calls(
// CHECK:           gpu.launch_func @mlc_kernels::@first_kernel blocks
// CHECK-NEXT:      gpu.launch_func @mlc_kernels::@second_kernel blocks
// CHECK:         gpu.module @mlc_kernels {
// CHECK-NEXT:      gpu.func @first_kernel(
// CHECK:             func.call @twice(
// CHECK:           func.func @twice(
// CHECK:           gpu.func @second_kernel(
// CHECK:             func.call @twice_0(
// CHECK:           func.func @twice_0(
module attributes {gpu.container_module} {
  func.func @calls(%a: memref<16xf32>) {
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    gpu.launch_func @first_kernel::@first_kernel blocks in (%c1, %c1, %c1) threads in (%c16, %c1, %c1) args(%a : memref<16xf32>)
    gpu.launch_func @second_kernel::@second_kernel blocks in (%c1, %c1, %c1) threads in (%c16, %c1, %c1) args(%a : memref<16xf32>)
    return
  }
  gpu.module @first_kernel {
    gpu.func @first_kernel(%a: memref<16xf32>) kernel {
      %i = gpu.thread_id x
      %x = memref.load %a[%i] : memref<16xf32>
      %y = func.call @twice(%x) : (f32) -> f32
      memref.store %y, %a[%i] : memref<16xf32>
      gpu.return
    }
    func.func @twice(%x: f32) -> f32 {
      %y = arith.addf %x, %x : f32
      return %y : f32
    }
  }
  gpu.module @second_kernel {
    gpu.func @second_kernel(%a: memref<16xf32>) kernel {
      %i = gpu.thread_id x
      %x = memref.load %a[%i] : memref<16xf32>
      %y = func.call @twice(%x) : (f32) -> f32
      memref.store %y, %a[%i] : memref<16xf32>
      gpu.return
    }
    func.func @twice(%x: f32) -> f32 {
      %y = arith.addf %x, %x : f32
      return %y : f32
    }
  }
}

// -----

// Nothing outlined: nothing to merge, and no empty @mlc_kernels.
// CHECK-LABEL: func.func @host_only
// CHECK-NEXT:    return
// CHECK-NOT:   gpu.module
module {
  func.func @host_only() {
    return
  }
}

// -----

// Only symbols can move into the merged module (what is not one could not
// be named from outside).
module attributes {gpu.container_module} {
  gpu.module @odd_kernel {
    // expected-error @+1 {{in an outlined gpu.module is not a symbol; mlc-gpu-merge-kernels cannot move it}}
    "test.not_a_symbol"() : () -> ()
  }
}
