#include "postgres_server.h"

#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace tinymlops::testing {

namespace {

namespace fs = std::filesystem;

const char* const kBinDir = "/usr/lib/postgresql/15/bin";
const char* const kSuperuser = "tinymlops";

struct RunAs {
  bool drop = false;  // true when running as root: switch to uid/gid below
  uid_t uid = 0;
  gid_t gid = 0;
  std::string name;
};

RunAs pick_user() {
  RunAs user;
  if (::geteuid() != 0) return user;
  for (const char* name : {"postgres", "nobody"}) {
    if (passwd* entry = ::getpwnam(name)) {
      user.drop = true;
      user.uid = entry->pw_uid;
      user.gid = entry->pw_gid;
      user.name = name;
      return user;
    }
  }
  throw std::runtime_error("running as root and neither the postgres nor the nobody user exists");
}

// Forks and execs `argv` as `user` with stdout and stderr appended to `log`. The child
// gets SIGQUIT (PostgreSQL's immediate shutdown) when this process dies.
pid_t spawn(const RunAs& user, std::vector<std::string> argv, const std::string& log) {
  std::vector<char*> args;
  for (std::string& arg : argv) args.push_back(arg.data());
  args.push_back(nullptr);
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    int in = ::open("/dev/null", O_RDONLY);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    if (user.drop && (::setgroups(0, nullptr) != 0 || ::setgid(user.gid) != 0 || ::setuid(user.uid) != 0)) ::_exit(126);
    ::prctl(PR_SET_PDEATHSIG, SIGQUIT);  // after setuid, which clears it
    if (::getppid() != parent) ::_exit(125);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void chown_to(const RunAs& user, const fs::path& path) {
  if (user.drop && ::chown(path.c_str(), user.uid, user.gid) != 0) throw std::runtime_error("chown " + path.string());
}

std::string tail_of(const std::string& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  std::string all = text.str();
  return all.size() > 1500 ? all.substr(all.size() - 1500) : all;
}

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    if (fd >= 0) ::close(fd);
    return 55432;
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

// An initdb'ed cluster shared by every test binary of this machine and user.
fs::path template_cluster(const RunAs& user, const std::string& log) {
  fs::path cluster = fs::temp_directory_path() / ("tinymlops-pg15-template-" + (user.drop ? user.name : std::to_string(::getuid())));
  if (fs::exists(cluster / "PG_VERSION") && fs::exists(cluster / "global" / "pg_control")) return cluster;
  std::string staging = cluster.string() + ".XXXXXX";
  if (!::mkdtemp(staging.data())) throw std::runtime_error("mkdtemp failed for " + staging);
  chown_to(user, staging);
  int rc = wait_exit(spawn(user,
                           {std::string(kBinDir) + "/initdb", "-D", staging + "/data", "-U", kSuperuser,
                            "--auth=trust", "--no-sync", "--encoding=UTF8", "--locale=C"},
                           log));
  if (rc != 0) {
    fs::remove_all(staging);
    throw std::runtime_error("initdb exited with " + std::to_string(rc) + "; its output:\n" + tail_of(log));
  }
  std::error_code ec;
  fs::rename(fs::path(staging) / "data", cluster, ec);  // fails harmlessly when another binary won the race
  fs::remove_all(staging);
  if (!fs::exists(cluster / "PG_VERSION")) throw std::runtime_error("could not keep the template cluster " + cluster.string());
  return cluster;
}

PostgresServer* g_server = nullptr;  // created by the first shared()

class PostgresEnvironment : public ::testing::Environment {
 public:
  void TearDown() override {
    if (g_server) g_server->stop();
  }
};

// Registered before main() runs, so the server stops when the tests end.
const bool kRegistered = (::testing::AddGlobalTestEnvironment(new PostgresEnvironment), true);

}  // namespace

PostgresServer& PostgresServer::shared() {
  (void)kRegistered;
  if (!g_server) {
    g_server = new PostgresServer();
    g_server->start();
  }
  return *g_server;
}

std::string PostgresServer::url(const std::string& database) const {
  return "postgresql://" + std::string(kSuperuser) + "@/" + database + "?host=" + dir_ + "&port=" + std::to_string(port_);
}

void PostgresServer::start() {
  auto started = std::chrono::steady_clock::now();
  try {
    if (!fs::exists(std::string(kBinDir) + "/postgres")) {
      throw std::runtime_error(std::string(kBinDir) + "/postgres not found: run scripts/setup (package postgresql)");
    }
    RunAs user = pick_user();
    std::string pattern = (fs::temp_directory_path() / "tinymlops-pg-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    chown_to(user, dir_);
    std::string log = dir_ + "/server.log";
    fs::path cluster = template_cluster(user, log);
    int rc = wait_exit(spawn(user, {"/bin/cp", "-a", cluster.string(), dir_ + "/data"}, log));
    if (rc != 0) throw std::runtime_error("copying the template cluster failed:\n" + tail_of(log));
    port_ = free_port();
    pid_ = spawn(user,
                 {std::string(kBinDir) + "/postgres", "-D", dir_ + "/data", "-k", dir_, "-p", std::to_string(port_),
                  "-c", "listen_addresses=", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c",
                  "full_page_writes=off", "-c", "shared_buffers=16MB", "-c", "max_connections=40"},
                 log);
    for (;;) {
      if (PQping(url("postgres").c_str()) == PQPING_OK) break;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = 0;
        throw std::runtime_error("postgres exited during startup; its log:\n" + tail_of(log));
      }
      if (std::chrono::steady_clock::now() - started > std::chrono::seconds(60)) {
        throw std::runtime_error("postgres did not accept connections within 60 s; its log:\n" + tail_of(log));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  } catch (const std::exception& e) {
    error_ = std::string("could not start the PostgreSQL test server: ") + e.what();
    stop();
  }
}

std::string PostgresServer::create_database() {
  if (!running()) throw std::runtime_error(error_);
  std::string name = "t" + std::to_string(::getpid()) + "_" + std::to_string(++databases_);
  PGconn* connection = PQconnectdb(url("postgres").c_str());
  PGresult* result = PQexec(connection, ("CREATE DATABASE " + name).c_str());
  bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
  std::string message = PQerrorMessage(connection);
  PQclear(result);
  PQfinish(connection);
  if (!ok) throw std::runtime_error("CREATE DATABASE failed: " + message);
  return url(name);
}

void PostgresServer::stop() {
  if (pid_ > 0) {
    ::kill(pid_, SIGQUIT);  // immediate shutdown: the data is thrown away
    for (int i = 0; i < 500; ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = 0;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      pid_ = 0;
    }
  }
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
    dir_.clear();
  }
}

}  // namespace tinymlops::testing
