/* Client core: placeholder, filled in below. */
#include "core/client.h"
#include "cutest.h"

static void test_new(void)
{
	CU_ASSERT(1);
}

static const struct cutest tests[] = {CUTEST(test_new)};
CUTEST_MAIN("client", tests)
