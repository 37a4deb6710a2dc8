# -*- Python -*- lit configuration for mlc.

import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "mlc"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "unit", "Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.mlc_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%mlc_src_root", config.mlc_src_root))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
# Every test compiles what it runs; compile-cache.test turns the cache on.
config.environment["MLC_NO_CACHE"] = "1"
# ... and verifies the IR after every pass (users get one check at the end).
config.environment["MLC_VERIFY_EACH"] = "1"
llvm_config.use_default_substitutions()

tool_dirs = [config.mlc_tools_dir, config.llvm_tools_dir]
tools = ["mlc", "mlc-opt", "mlc-onnx-node-tests"]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# `not`, `count` and `split-file` at the start of a RUN line are found on PATH.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

# Model libraries are built and linked with the system C compiler.
import shutil

cc = shutil.which("cc")
if cc:
    config.available_features.add("cc")
    config.substitutions.append(("%cc", cc))
if shutil.which("cmake") and shutil.which("ninja"):
    config.available_features.add("cmake")

# GPU: ptxas (CUDA toolkit) validates emitted PTX; a device runs the GPU
# suite. Without them those tests are reported as UNSUPPORTED.
ptxas = None
for root in [os.environ.get(v) for v in ("CUDA_ROOT", "CUDA_HOME", "CUDA_PATH")] + ["/usr/local/cuda"]:
    if root and os.access(os.path.join(root, "bin", "ptxas"), os.X_OK):
        ptxas = os.path.join(root, "bin", "ptxas")
        break
ptxas = ptxas or shutil.which("ptxas")
if ptxas:
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))
    # The toolkit root (ptxas and libdevice), for mlc-opt's GPU pipelines.
    config.substitutions.append(
        ("%cuda_root", os.path.dirname(os.path.dirname(os.path.realpath(ptxas)))))
# ONNX's backend node tests, which scripts/onnx-node-tests.sh writes from
# the onnx package into the build directory (or $MLC_ONNX_NODE_DIR).
onnx_node_dir = os.environ.get("MLC_ONNX_NODE_DIR") or os.path.join(
    config.mlc_obj_root, "onnx-node")
if os.path.isdir(onnx_node_dir):
    config.available_features.add("onnx-node-data")
    config.substitutions.append(("%onnx_node_dir", onnx_node_dir))
else:
    lit_config.note("no ONNX node-test data (scripts/onnx-node-tests.sh makes "
                    "it): frontends/ONNX/node-tests.test is skipped")
if os.path.exists("/dev/nvidia0") or os.path.exists("/dev/nvidiactl"):
    config.available_features.add("cuda-device")
else:
    lit_config.note("no NVIDIA GPU here: the GPU suite (REQUIRES: cuda-device) is skipped")

# The sanitizer build: AddressSanitizer's allocator maps fresh pages for
# every large temporary of a compiled step, and page faults cost ~12 us per
# 4 KiB here, so a whole epoch of a convnet takes many minutes there. Tests
# that train one say UNSUPPORTED: sanitizer; the main suite runs them.
if getattr(config, "mlc_sanitized", "OFF").upper() in ("ON", "1", "TRUE", "YES"):
    config.available_features.add("sanitizer")
