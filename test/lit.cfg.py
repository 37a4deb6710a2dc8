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
llvm_config.use_default_substitutions()

tool_dirs = [config.mlc_tools_dir, config.llvm_tools_dir]
tools = ["mlc", "mlc-opt"]
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
