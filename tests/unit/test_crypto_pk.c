#include "config.h"
#include "tests/unit/cutest.h"
static void test_none(void)
{
}
static const struct cutest tests[] = {
    CUTEST(test_none),
};
CUTEST_MAIN("test_crypto_pk", tests)
