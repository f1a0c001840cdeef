#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Run by 'make check' in place of the unit and simulator tests when configure
# did not find CUnit: says why they were not built, and reports a skip (77).
echo "CUnit not found: the unit and simulator tests (tests/unit, tests/sim) were not built;"
echo "install libcunit1-dev (Debian) / CUnit-devel and run configure again"
exit 77
