"""Checks the linalg of a tanh chain: check_chain.py FILE N MAX_PER_LOOP.

Every entry point computes each of the N tanh ops exactly once (fusion
recomputes nothing), and no fused loop body holds more than MAX_PER_LOOP
of them (fusion is capped, so code size stays linear in the chain).
"""
import re
import sys

path, n, cap = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
text = open(path).read()
failed = False
for func in re.split(r"\n  func\.func ", text)[1:]:
    name = func.split("(", 1)[0]
    if not name.startswith("@chain_"):
        continue
    total = func.count("math.tanh")
    per_loop = [body.count("math.tanh") for body in func.split("linalg.generic")]
    print(f"{name}: {total} tanh, at most {max(per_loop)} in one loop")
    if total != n or max(per_loop) > cap:
        failed = True
sys.exit(1 if failed else 0)
