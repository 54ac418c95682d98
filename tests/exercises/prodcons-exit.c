/*
 * Wrong: buf_new() gives up with exit(0) before a single item is put.
 * The run did not complete: reported, exit 1.
 */
#include <stdlib.h>

#include "prodcons.h"

struct buf {
	int unused;
};

struct buf *buf_new(int capacity)
{
	if (capacity > 0)
		exit(0);
	return NULL;
}

void buf_put(struct buf *b, int item)
{
}

int buf_get(struct buf *b)
{
	return 0;
}
