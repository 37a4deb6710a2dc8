"""Writes ONNX's backend node tests (the onnx package's own
onnx/backend/test/case/node cases) as test directories: model.onnx and
test_data_set_N/{input,output}_K.pb, the layout of the onnx repository's
onnx/backend/test/data/node. Run with a Python that has the onnx package
(scripts/onnx-node-tests.sh makes one):

    python onnx_node_data.py OUTPUT_DIR"""

import os
import shutil
import sys

from onnx import TensorProto, numpy_helper
from onnx.backend.test.case import node


def main(out):
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    written = 0
    for case in node.collect_testcases(None):
        if case.model is None or not case.data_sets:
            continue
        model = case.model
        outputs_ok = all(o.type.HasField("tensor_type")
                         for o in model.graph.output)
        inputs_ok = all(i.type.HasField("tensor_type")
                        for i in model.graph.input)
        if not (outputs_ok and inputs_ok):
            continue  # sequences, maps, optionals: nothing mlc reads
        d = os.path.join(out, case.name)
        try:
            os.makedirs(d)
            with open(os.path.join(d, "model.onnx"), "wb") as f:
                f.write(model.SerializeToString())
            for i, (inputs, outputs) in enumerate(case.data_sets):
                ds = os.path.join(d, "test_data_set_%d" % i)
                os.makedirs(ds)
                for kind, values, infos in (("input", inputs, model.graph.input),
                                            ("output", outputs,
                                             model.graph.output)):
                    for k, value in enumerate(values):
                        if not isinstance(value, TensorProto):
                            value = numpy_helper.from_array(value,
                                                            infos[k].name)
                        path = os.path.join(ds, "%s_%d.pb" % (kind, k))
                        with open(path, "wb") as f:
                            f.write(value.SerializeToString())
        except (AttributeError, TypeError, ValueError):
            shutil.rmtree(d)  # a value that is no tensor
            continue
        written += 1
    print("onnx_node_data.py: %d node tests in %s" % (written, out))


main(sys.argv[1])
