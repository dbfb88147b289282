#include <pthread.h>
#include <signal.h>

#include "tinymlops/core/error.h"
#include "tinymlops/serve/server.h"

namespace tinymlops::serve {

void serve_until_signal(std::unique_ptr<ModelSource> source, ServerOptions options,
                        const std::function<void(const InferenceServer&)>& on_ready) {
  sigset_t signals, previous;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  // Blocked before the server's threads start, so they inherit the mask and the
  // signal waits for sigwait below instead of killing the process.
  if (pthread_sigmask(SIG_BLOCK, &signals, &previous) != 0) {
    throw Error(ErrorKind::kIo, "serve", "cannot block SIGTERM/SIGINT");
  }
  struct RestoreMask {
    sigset_t mask;
    ~RestoreMask() { pthread_sigmask(SIG_SETMASK, &mask, nullptr); }
  } restore{previous};
  InferenceServer server(std::move(source), std::move(options));
  on_ready(server);
  int received = 0;
  sigwait(&signals, &received);
  server.stop();
}

}  // namespace tinymlops::serve
