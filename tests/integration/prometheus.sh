#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# tests/integration/prometheus.sh - a real Prometheus server (Debian's
# package) scrapes our uftpd's control port every second during a
# rate-limited transfer, and its HTTP API (/api/v1/query) shows the
# received-bytes counter rising.  The lab, the client and the checks are
# control.sh's (its CONTROL_CASE=prometheus, described there); without the
# prometheus binary it says so and exits 77 (skipped), never passes silently.
#
#   sudo tests/integration/prometheus.sh [BUILD_DIR]   (the sanitizer build in CI)
#   PROMETHEUS=/path/to/prometheus sudo tests/integration/prometheus.sh
#
# Output "PASS|FAIL <what>", "N passed, M failed". Exit 0 / 1, 77 = skip.
CONTROL_CASE=prometheus exec bash "$(dirname "$0")/control.sh" "$@"
