/*
 * An atomic too large for an instruction, which goes to libatomic's
 * __atomic_load (caught), and an int one the compiler inlines (not).
 */
struct big {
	long v[4];
};

static struct big shared;
static int flag;

long fixture_atomic(void)
{
	struct big b;

	__atomic_load(&shared, &b, __ATOMIC_SEQ_CST);
	return b.v[0] + __atomic_add_fetch(&flag, 1, __ATOMIC_SEQ_CST);
}
