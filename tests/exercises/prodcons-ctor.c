/*
 * Wrong: a constructor ends the process as soon as the object is loaded,
 * before conclab can see its calls: the run did not complete, exit 1.
 */
#include <unistd.h>

#include "prodcons.h"

struct buf {
	int unused;
};

__attribute__((constructor)) static void setup(void)
{
	_exit(0);
}

struct buf *buf_new(int capacity)
{
	return NULL;
}

void buf_put(struct buf *b, int item)
{
}

int buf_get(struct buf *b)
{
	return 0;
}
