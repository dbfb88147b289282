// tinymlops init | add | status | checkout | gc | push | pull (docs/store.md)
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "commands.h"
#include "tinymlops/core/error.h"
#include "tinymlops/core/format.h"
#include "tinymlops/store/workspace.h"

namespace tinymlops::cli {

namespace {

namespace fs = std::filesystem;
using store::ProjectLock;
using store::Repository;

std::string shown(const fs::path& path) {
  std::error_code ec;
  fs::path relative = fs::proximate(path, fs::current_path(ec), ec);
  return (ec ? path : relative).string();
}

std::vector<fs::path> as_paths(const std::vector<std::string>& texts) { return {texts.begin(), texts.end()}; }

// Progress in bytes for long copies, shown as MiB.
store::ByteProgress byte_progress(Progress& progress, const std::string& label) {
  return [&progress, label](uint64_t done, uint64_t total) {
    progress.update(static_cast<long>(done >> 20), static_cast<long>(total >> 20), label + " (MiB)", {});
  };
}

void add_wait_option(CLI::App* command, double& wait) {
  command->add_option("--wait", wait, "seconds to wait for another tinymlops command on this project")
      ->capture_default_str();
}

void register_init(CLI::App& app) {
  auto dir = std::make_shared<std::string>(".");
  CLI::App* command = app.add_subcommand(
      "init", "make DIR a tinymlops project: .tinymlops/ (cache, state database) and tinymlops.yaml");
  command->add_option("DIR", *dir, "project directory (created when missing)")->capture_default_str();
  command->callback([dir] {
    bool existed = fs::is_directory(fs::path(*dir) / ".tinymlops");
    Repository repo = Repository::init(*dir);
    std::printf("%s tinymlops project in %s\n", existed ? "reinitialized" : "initialized", repo.root().c_str());
    std::printf("next: tinymlops add DATA, then commit DATA.tinymlops, .gitignore and tinymlops.yaml to git\n");
  });
}

void register_add(CLI::App& app) {
  struct Flags {
    std::vector<std::string> paths;
    double wait = 10;
    ProgressFlags progress;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* command = app.add_subcommand(
      "add", "version files or directories: store their content in the cache and write PATH.tinymlops "
             "pointers to commit to git (PATH is added to the .gitignore beside it)");
  command->add_option("PATH", flags->paths, "files or directories inside the project")->required();
  add_wait_option(command, flags->wait);
  flags->progress.add_to(*command);
  command->callback([flags] {
    Repository repo = Repository::open(fs::path(flags->paths.front()).parent_path().empty()
                                           ? fs::current_path()
                                           : fs::absolute(flags->paths.front()));
    ProjectLock lock(repo, flags->wait);
    auto progress = flags->progress.make();
    std::vector<std::string> to_commit;
    for (const std::string& path : flags->paths) {
      store::AddResult r = store::add_path(repo, path, byte_progress(*progress, "add " + path));
      const store::Pointer& p = r.tracked.pointer;
      std::printf("%s %s: %s in %llu file%s, sha256 %s, %s copied into the cache -> %s\n",
                  r.pointer_changed ? "added" : "unchanged", shown(r.tracked.target).c_str(), format_bytes(p.size).c_str(),
                  static_cast<unsigned long long>(p.files), p.files == 1 ? "" : "s", p.id.hash.substr(0, 12).c_str(),
                  format_bytes(r.saved.copied_bytes).c_str(), shown(r.tracked.pointer_file).c_str());
      to_commit.push_back(shown(r.tracked.pointer_file));
      std::string gitignore = shown(r.tracked.target.parent_path() / ".gitignore");
      if (r.gitignore_changed && std::find(to_commit.begin(), to_commit.end(), gitignore) == to_commit.end()) {
        to_commit.push_back(gitignore);
      }
    }
    std::string list;
    for (const std::string& item : to_commit) list += " " + item;
    std::printf("next: git add%s\n", list.c_str());
  });
}

void register_status(CLI::App& app) {
  struct Flags {
    std::vector<std::string> paths;
    bool json = false;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* command = app.add_subcommand(
      "status", "what changed since add or checkout: modified, missing, or not in the cache, per tracked path");
  command->add_option("PATH", flags->paths, "tracked paths, pointer files or directories (default: the whole project)");
  command->add_flag("--json", flags->json, "one JSON object: every tracked path with its state");
  command->callback([flags] {
    Repository repo = Repository::open(fs::current_path());
    std::vector<store::PathStatus> statuses = store::workspace_status(repo, as_paths(flags->paths));
    if (flags->json) {
      nlohmann::ordered_json list = nlohmann::ordered_json::array();
      for (const store::PathStatus& s : statuses) {
        nlohmann::ordered_json item = {{"path", shown(s.tracked.target)},
                                       {"pointer", shown(s.tracked.pointer_file)},
                                       {"kind", store::object_kind_name(s.tracked.pointer.id.kind)},
                                       {"hash", s.tracked.pointer.id.hash},
                                       {"workspace", store::workspace_state_name(s.workspace)},
                                       {"in_cache", s.in_cache}};
        if (s.details_known) item["files"] = {{"changed", s.changed}, {"added", s.added}, {"removed", s.removed}};
        list.push_back(item);
      }
      std::printf("%s\n", nlohmann::ordered_json{{"tracked", list}}.dump(2).c_str());
      return;
    }
    size_t clean = 0;
    for (const store::PathStatus& s : statuses) {
      std::string line;
      if (s.workspace != store::WorkspaceState::kUnchanged) {
        line = std::string(store::workspace_state_name(s.workspace)) + "  " + shown(s.tracked.target);
        if (s.details_known) {
          line += " (" + std::to_string(s.changed) + " changed, " + std::to_string(s.added) + " added, " +
                  std::to_string(s.removed) + " removed)";
        }
      }
      if (!s.in_cache) {
        if (!line.empty()) line += "; ";
        line += "not-in-cache  " + shown(s.tracked.target) + " (run `tinymlops pull`)";
      }
      if (line.empty()) ++clean;
      else std::printf("%s\n", line.c_str());
    }
    std::printf("%zu tracked path%s, %zu unchanged and cached\n", statuses.size(), statuses.size() == 1 ? "" : "s",
                clean);
  });
}

void register_checkout(CLI::App& app) {
  struct Flags {
    std::vector<std::string> paths;
    bool force = false;
    double wait = 10;
    ProgressFlags progress;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* command = app.add_subcommand(
      "checkout", "restore tracked paths to what their pointer files say (e.g. after git checkout); "
                  "refuses to overwrite changes that are not in the cache");
  command->add_option("PATH", flags->paths, "tracked paths, pointer files or directories (default: the whole project)");
  command->add_flag("-f,--force", flags->force, "overwrite and delete changes that are not in the cache");
  add_wait_option(command, flags->wait);
  flags->progress.add_to(*command);
  command->callback([flags] {
    Repository repo = Repository::open(fs::current_path());
    ProjectLock lock(repo, flags->wait);
    auto progress = flags->progress.make();
    size_t restored = 0, unchanged = 0;
    for (const store::CheckoutResult& r :
         store::checkout(repo, as_paths(flags->paths), flags->force, byte_progress(*progress, "checkout"))) {
      if (r.restored) {
        ++restored;
        std::printf("restored %s\n", shown(r.tracked.target).c_str());
      } else {
        ++unchanged;
      }
    }
    std::printf("checkout: %zu restored, %zu already up to date\n", restored, unchanged);
  });
}

void register_gc(CLI::App& app) {
  struct Flags {
    bool dry_run = false;
    double wait = 10;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* command = app.add_subcommand(
      "gc", "drop cached objects that no pointer file in the workspace and no pipeline, run cache or "
            "registry entry refers to");
  command->add_flag("-n,--dry-run", flags->dry_run, "only list what would be dropped");
  add_wait_option(command, flags->wait);
  command->callback([flags] {
    Repository repo = Repository::open(fs::current_path());
    ProjectLock lock(repo, flags->wait);
    store::GcReport report = store::collect_garbage(repo, flags->dry_run);
    const char* verb = flags->dry_run ? "would drop" : "dropped";
    for (const auto& object : report.dropped) {
      std::printf("%s %s (%s)\n", verb, store::object_key(object.id).c_str(), format_bytes(object.size).c_str());
    }
    std::printf("gc: %s %zu object%s, %s (%llu bytes) %s; kept %zu\n", verb, report.dropped.size(),
                report.dropped.size() == 1 ? "" : "s", format_bytes(report.dropped_bytes).c_str(),
                static_cast<unsigned long long>(report.dropped_bytes), flags->dry_run ? "would be freed" : "freed",
                report.kept);
  });
}

void print_transfer(const char* name, const store::TransferReport& r, const store::Remote& remote) {
  std::printf("%s: %zu object%s (%s) copied, %zu already there; remote %s\n", name, r.transferred,
              r.transferred == 1 ? "" : "s", format_bytes(r.bytes).c_str(), r.already_there, remote.location().c_str());
}

void register_transfer(CLI::App& app, bool is_push) {
  struct Flags {
    std::vector<std::string> paths;
    std::string remote;
    double wait = 10;
    ProgressFlags progress;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* command = app.add_subcommand(
      is_push ? "push" : "pull",
      is_push ? "copy the cached objects of tracked paths (and of pipelines and the registry) that the remote lacks"
              : "fetch the objects of tracked paths that the cache lacks from the remote (then: tinymlops checkout)");
  command->add_option("PATH", flags->paths, "tracked paths, pointer files or directories (default: the whole project)");
  command->add_option("-r,--remote", flags->remote, "a remote name from tinymlops.yaml, or a directory path "
                                                    "(default: default_remote)");
  add_wait_option(command, flags->wait);
  flags->progress.add_to(*command);
  command->callback([flags, is_push] {
    Repository repo = Repository::open(fs::current_path());
    ProjectLock lock(repo, flags->wait);
    std::unique_ptr<store::Remote> remote = store::open_named_remote(repo, flags->remote);
    auto progress = flags->progress.make();
    const char* name = is_push ? "push" : "pull";
    store::TransferReport report =
        is_push ? store::push(repo, *remote, as_paths(flags->paths), byte_progress(*progress, name))
                : store::pull(repo, *remote, as_paths(flags->paths), byte_progress(*progress, name));
    print_transfer(name, report, *remote);
    if (!report.unavailable.empty()) {
      throw Error(ErrorKind::kIo, store::object_key(report.unavailable.front()),
                  std::to_string(report.unavailable.size()) + " object" + (report.unavailable.size() == 1 ? " is" : "s are") +
                      (is_push ? " not in the local cache (re-add the data, or pull it from where it was pushed)"
                               : " not on the remote " + remote->location() + " (push them from the project that has them)"));
    }
    if (!is_push && report.transferred > 0) std::printf("next: tinymlops checkout\n");
  });
}

}  // namespace

void register_store_commands(CLI::App& app) {
  register_init(app);
  register_add(app);
  register_status(app);
  register_checkout(app);
  register_gc(app);
  register_transfer(app, true);
  register_transfer(app, false);
}

}  // namespace tinymlops::cli
