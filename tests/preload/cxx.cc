// C++'s std::thread, std::mutex and std::condition_variable are pthreads
// underneath: an inversion, then a timed wait that a notify ends.  Sites
// are the program's lines, not the system headers' the calls inline from.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

std::mutex a, b;
std::condition_variable cv;
bool ready = false;

int main()
{
	std::thread t1([] {
		std::lock_guard<std::mutex> g(a);
		std::lock_guard<std::mutex> h(b); // cxx.cc: a then b
	});
	t1.join();
	std::thread t2([] {
		std::lock_guard<std::mutex> g(b);
		std::lock_guard<std::mutex> h(a); // cxx.cc: b then a
	});
	t2.join();
	std::thread t3([] {
		std::unique_lock<std::mutex> l(a);
		cv.wait_for(l, std::chrono::seconds(30), [] { return ready; });
	});
	{
		std::lock_guard<std::mutex> g(a);
		ready = true;
	}
	cv.notify_all();
	t3.join();
	std::puts("cxx: done");
	return 0;
}
