/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * main() for harnesses built without libFuzzer: runs LLVMFuzzerTestOneInput
 * on every file named on the command line, or in the directories named, or
 * (no argument) in FUZZ_CORPUS, the harness's checked-in corpus.  Exits 0
 * when every input ran (a bug shows as a sanitizer report or a crash).
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/fuzz/fuzz.h"

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f) {
		perror(path);
		return -1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return -1;
	}
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	return 0;
}

static int run_path(const char *path, unsigned *count)
{
	struct stat st;
	struct dirent *e;
	char sub[4096];
	DIR *d;
	int rv = 0;

	if (stat(path, &st) < 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return run_file(path);
	}
	d = opendir(path);
	if (!d) {
		perror(path);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		if (run_path(sub, count) < 0)
			rv = -1;
	}
	closedir(d);
	return rv;
}

int main(int argc, char **argv)
{
	unsigned count = 0;
	int i, rv = 0;

	LLVMFuzzerInitialize(&argc, &argv);
	if (argc < 2) {
		rv = run_path(FUZZ_CORPUS, &count);
	} else {
		for (i = 1; i < argc; i++)
			if (run_path(argv[i], &count) < 0)
				rv = -1;
	}
	printf("%s: %u inputs\n", argv[0], count);
	return rv < 0 || count == 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
