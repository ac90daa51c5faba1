#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""oom-gogc-off: GOGC=off and no GOMEMLIMIT: garbage is never collected, so a
program that only allocates short-lived buffers runs out of memory. gotrace
must name GOGC=off as the cause (the runtime itself prints gc_percent=-1 at
start: the oracle that the setting took effect) within the first death.
"""
import test_oom_memcg as t
import scenario as sc

t.run("oom-gogc-off", ["GOGC=off"], ["-mode", "garbage", "-rate-mib", "64"],
      ["GOGC=off"], ["GOGC"])
sc.done()
