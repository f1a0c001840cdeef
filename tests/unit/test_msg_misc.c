#include "config.h"

#include "tests/unit/test_msg.h"

static void test_stub(void)
{
}

static const struct cutest tests[] = {
    CUTEST(test_stub),
};

CUTEST_MAIN("msg_misc", tests)
