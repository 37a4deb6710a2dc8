"""Runs a command with its stdout on a terminal (a pseudo-terminal), for
the tests of what mlc writes to one. Prints what the command printed and
exits with its exit code; stderr is passed through.

usage: in_terminal.py COMMAND [ARG...]
"""
import os
import subprocess
import sys


def main():
    master, slave = os.openpty()
    proc = subprocess.Popen(sys.argv[1:], stdout=slave)
    os.close(slave)
    out = b""
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the command closed the terminal
            break
        if not data:
            break
        out += data
    code = proc.wait()
    sys.stdout.buffer.write(out)
    sys.exit(code if code >= 0 else 128 - code)


main()
