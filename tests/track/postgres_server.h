// A real PostgreSQL server for the tests, started from Debian's postgresql-15
// binaries on a unix socket in a temporary directory, once per test binary, and
// stopped when the binary ends (a GoogleTest global environment).
//
// initdb refuses to run as root: as root, initdb and postgres run as the
// `postgres` user (created by the Debian package), else `nobody`. The cluster made
// by initdb is kept as a template under the temp dir (keyed by user and major
// version) and copied for each binary, so initdb's cost is paid once per machine.
// If the server cannot start, using it fails the test with the reason; nothing skips.
#pragma once

#include <string>

namespace tinymlops::testing {

class PostgresServer {
 public:
  // The one server of this process, started on first call.
  static PostgresServer& shared();

  bool running() const { return pid_ > 0; }
  // Why the server is not running (with the end of its log), "" when it is.
  const std::string& error() const { return error_; }
  // Creates a fresh empty database and returns its libpq URL. Requires running().
  std::string create_database();
  void stop();

 private:
  PostgresServer() = default;
  void start();
  std::string url(const std::string& database) const;

  std::string dir_;   // socket directory and data/ inside it
  int port_ = 0;
  int pid_ = 0;
  int databases_ = 0;
  std::string error_;
};

}  // namespace tinymlops::testing
