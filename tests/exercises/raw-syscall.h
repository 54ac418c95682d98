/*
 * A raw system call (x86-64), which leaves no symbol for conclab's
 * screening of calls to see: the cheats that try what the sandbox must
 * stop use it.  Elsewhere it fails with ENOSYS (the tests that use it run
 * on x86-64 only).
 */
#ifndef RAW_SYSCALL_H
#define RAW_SYSCALL_H

static inline long raw_syscall(long nr, long a, long b, long c)
{
#if defined(__x86_64__)
	long r;
	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return r;
#else
	(void)nr, (void)a, (void)b, (void)c;
	return -38;
#endif
}

#endif
