# SPDX-License-Identifier: BSD-2-Clause
# fragment: appended to by its module's owner
# tests/vectors: captured UFTP 4.10.2 sessions (data only). The top-level
# EXTRA_DIST already ships the whole tests/vectors directory; regenerate with
# scripts/capture-vectors.sh (root).
