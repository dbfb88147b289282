#include "tinymlops/core/socket_options.h"

#include <sys/socket.h>

namespace tinymlops {

void reuse_address_only(int socket) {
  int yes = 1;
  ::setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
}

}  // namespace tinymlops
