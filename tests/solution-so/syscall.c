/* A futex made by hand, through syscall(): refused. */
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

static int word;

long fixture_syscall(void)
{
	return syscall(SYS_futex, &word, FUTEX_WAIT, 0, NULL, NULL, 0);
}
