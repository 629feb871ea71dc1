"""A report kernel's reset collects what the last report left and keeps shared objects out of
later collections; nothing a report made survives into the next."""

import subprocess
import sys

CODE = """
import gc, weakref
from iro_analysis.warm import GC_THRESHOLD, prepare_kernel, reset_kernel_state

class Node:
    pass

def cycle():
    a, b = Node(), Node()
    a.other, b.other = b, a  # unreachable once dropped: only the cycle collector frees it
    return weakref.ref(a)

prepare_kernel()
assert gc.get_threshold()[0] == GC_THRESHOLD
first = cycle()  # left behind by "report 1"
reset_kernel_state()
assert first() is None, "report 1's cycle survived the reset"
frozen = gc.get_freeze_count()
assert frozen > 10_000, frozen  # modules and what every report shares
second = cycle()  # made after the freeze, by "report 2"
reset_kernel_state()
assert second() is None, "report 2's cycle survived the reset"
gc.collect()
assert gc.get_freeze_count() >= frozen
print("ok")
"""


def test_reset_collects_each_reports_garbage_and_freezes_what_is_shared():
    # in a process of its own, as in a kernel: the reset puts back environment, cwd and sys.path
    result = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ok"
