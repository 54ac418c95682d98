/* C11 <threads.h>: a mutex and a condition conclab cannot see. */
#include <threads.h>

static mtx_t m;
static cnd_t c;

int fixture_c11(void)
{
	mtx_lock(&m);
	cnd_wait(&c, &m);
	return mtx_unlock(&m);
}
