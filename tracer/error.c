#include <conclab/error.h>

#include <string.h>

const char *clab_strerror(int err)
{
	switch (err) {
#define CLAB__ERR_TEXT(name, value, text)                                      \
	case (value):                                                          \
		return text;
		CLAB_ERRNO_MAP(CLAB__ERR_TEXT)
#undef CLAB__ERR_TEXT
	case 0:
		return "success";
	default:
		return err < 0 ? strerror(-err) : "unknown error";
	}
}
