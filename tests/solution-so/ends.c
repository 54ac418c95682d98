/* Ends the process or its thread in each of the ways conclab hooks. */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

void fixture_exit(int status)
{
	exit(status);
}

void fixture__exit(int status)
{
	_exit(status);
}

void fixture_abort(void)
{
	abort();
}

void fixture_pthread_exit(void)
{
	pthread_exit(NULL);
}

/* Through the function's address, which a GLOB_DAT entry holds. */
void (*fixture_exit_ptr(void))(int)
{
	return exit;
}

/*
 * Through a table of its own, which an ABS64 relocation fills (not const,
 * and read at a volatile index: not folded into a call through the GOT).
 */
static void (*quit[])(int) = {exit, _exit};
static volatile int which;

void fixture_exit_table(int status)
{
	quit[which](status);
}
