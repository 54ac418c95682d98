/*
 * Call sites.  Every recording API is a macro that passes a pointer to a
 * static struct clab_site describing where it was called, so sites cost
 * nothing at run time: the tracer stores the pointer and interns it once.
 */
#ifndef CONCLAB_SITE_H
#define CONCLAB_SITE_H

struct clab_site {
	const char *file;
	const char *func;
	const char *label; /* annotation label, or NULL */
	int line;
};

#define CLAB__SITE_L(lbl)                                                      \
	__extension__({                                                        \
		static const struct clab_site clab__site_ = {                  \
		    __FILE__, __func__, (lbl), __LINE__};                      \
		&clab__site_;                                                  \
	})

/* CLAB_SITE() - a pointer to the static site of the caller. */
#define CLAB_SITE() CLAB__SITE_L((const char *)0)

#endif
