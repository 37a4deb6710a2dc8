"""Writes a model with a chain of N tanh ops: make_chain.py N FILE [dense].

With "dense", a dense layer comes first, so the gradient flows back through
the whole chain (each tanh's output is read again by the backward pass).
"""
import sys

n, path = int(sys.argv[1]), sys.argv[2]
dense = len(sys.argv) > 3 and sys.argv[3] == "dense"
lines = ["mlc.model @chain {"]
if dense:
    lines.append('  %x = mlc.input "x" : tensor<?x16xf32>')
    lines.append("  %h0 = mlc.dense %x {units = 8} : "
                 "tensor<?x16xf32> -> tensor<?x8xf32>")
else:
    lines.append('  %h0 = mlc.input "x" : tensor<?x8xf32>')
for i in range(n):
    lines.append(f"  %h{i + 1} = mlc.tanh %h{i} : tensor<?x8xf32>")
lines.append(f"  %y = mlc.dense %h{n} {{units = 3, activation = "
             "#mlc.act<softmax>} : tensor<?x8xf32> -> tensor<?x3xf32>")
lines.append("  mlc.output %y : tensor<?x3xf32>")
lines.append("} {loss = #mlc.loss<sparse_categorical_crossentropy>, "
             "optimizer = #mlc.adam<learning_rate = 1.0e-3>}")
with open(path, "w") as f:
    f.write("\n".join(lines) + "\n")
