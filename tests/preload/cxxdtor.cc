// C++ thread_local destructors and std::notify_all_at_thread_exit run
// after the thread's function has returned: under conclab trace they must
// still use conclab's mutex and condition (the program's), before the
// thread's end is recorded.  Before, they used the C library's: the sum
// lost updates, and main's wait was reported as a deadlock.
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

static std::mutex m;
static std::condition_variable cv;
static long sum;
static bool last_done;

struct Tally {
	long n = 0;
	~Tally()
	{
		std::lock_guard<std::mutex> g(m); // cxxdtor: the destructor
		sum += n;
	}
};
static thread_local Tally tally;

int main()
{
	std::vector<std::thread> ts;
	for (int i = 0; i < 4; i++)
		ts.emplace_back([] {
			for (int k = 0; k < 5000; k++) {
				tally.n++;
				std::lock_guard<std::mutex> g(m);
				sum += 0;
			}
		});
	for (auto &t : ts)
		t.join();
	std::thread([] {
		std::unique_lock<std::mutex> l(m);
		last_done = true;
		std::notify_all_at_thread_exit(cv, std::move(l));
	}).detach();
	std::unique_lock<std::mutex> l(m);
	cv.wait(l, [] { return last_done; });
	std::printf("cxxdtor: sum %ld\n", sum);
	return 0;
}
