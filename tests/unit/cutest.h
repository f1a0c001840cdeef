/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Tiny helpers shared by the CUnit test programs: a table of tests per suite
 * and a main() body that runs them and exits non-zero on any failure.
 */
#ifndef UFTP_TESTS_CUTEST_H
#define UFTP_TESTS_CUTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <CUnit/CUnit.h>

struct cutest {
	const char *name;
	void (*fn)(void);
};

#define CUTEST(f)                                                                                  \
	{                                                                                          \
#f, f                                                                              \
	}

/* Registers one suite of tests; returns 0 or -1 (CUnit error). */
static inline int cutest_add_suite(const char *name, const struct cutest *tests, size_t n)
{
	CU_pSuite s = CU_add_suite(name, NULL, NULL);
	size_t i;

	if (!s)
		return -1;
	for (i = 0; i < n; i++)
		if (!CU_add_test(s, tests[i].name, tests[i].fn))
			return -1;
	return 0;
}

/* Runs every registered suite; returns the process exit status. */
static inline int cutest_run(void)
{
	unsigned int failed;

	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#define CUTEST_MAIN(suite_name, table)                                                             \
	int main(void)                                                                             \
	{                                                                                          \
		if (CU_initialize_registry() != CUE_SUCCESS)                                       \
			return EXIT_FAILURE;                                                       \
		if (cutest_add_suite(suite_name, table, sizeof(table) / sizeof(table[0])))         \
			return EXIT_FAILURE;                                                       \
		return cutest_run();                                                               \
	}

/* Parses a hex string (whitespace ignored) into buf; returns length or -1. */
static inline long cutest_unhex(const char *hex, unsigned char *buf, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *hex; hex++) {
		int v;
		char c = *hex;

		if (c == ' ' || c == '\n' || c == '\t' || c == ':')
			continue;
		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v = c - 'A' + 10;
		else
			return -1;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= cap)
			return -1;
		buf[n++] = (unsigned char)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 ? (long)n : -1;
}

#endif
