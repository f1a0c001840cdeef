#include "config.h"

#include "core/server.h"
#include "tests/unit/cutest.h"

static void test_placeholder(void)
{
	CU_ASSERT(1);
}

static const struct cutest tests[] = {
    CUTEST(test_placeholder),
};

CUTEST_MAIN("server", tests)
