/* Starts processes, opens a socket, finds functions at run time. */
#include <dlfcn.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int fixture_process(char **argv)
{
	pid_t pid;

	if (fork() == 0)
		execvp(argv[0], argv);
	if (posix_spawnp(&pid, argv[0], NULL, NULL, argv, NULL) == 0)
		pclose(popen("true", "r"));
	if (dlsym(RTLD_DEFAULT, "pthread_mutex_lock") != NULL)
		return system("true");
	return socket(AF_INET, SOCK_STREAM, 0);
}
