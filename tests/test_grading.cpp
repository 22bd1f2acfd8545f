// Tests of the grading itself: the lesson tests must catch a wrong program, and scripts/grade
// must grade a folder of programs as a grader runs it.
//
// A wrong program is made the way a student's would come in: a folder (NETLAB_BIN_DIR) with
// every program of this build, but one replaced by a wrapper script that runs the real one
// wrongly (exits 0 after an error, holds a signal 5 s, drops an option). The lesson test that
// covers the mistake is run against that folder and must fail, with the message a grader
// reads; against this build's own programs the same test passes.
#include "support/catch.hpp"
#include "support/harness.hpp"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <unistd.h>

using namespace netlab::test;
namespace fs = std::filesystem;

namespace {

// A temporary folder, removed with everything in it.
struct TempDir {
    fs::path path;
    TempDir()
    {
        std::string tmpl = (fs::temp_directory_path() / "netlab-grading-XXXXXX").string();
        REQUIRE(::mkdtemp(tmpl.data()));
        path = tmpl;
    }
    ~TempDir()
    {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
};

void write_script(const fs::path& path, const std::string& text)
{
    std::ofstream(path) << text;
    fs::permissions(path, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec | fs::perms::others_read |
                              fs::perms::others_exec);
}

// This build's programs, each linked into `dir`, except `program`: that one is `wrapper`, a
// bash script in which $REAL is the real program.
void student_folder(const fs::path& dir, const std::string& program, const std::string& wrapper)
{
    for (const auto& entry : fs::directory_iterator(NETLAB_DEFAULT_BIN_DIR))
        if (entry.path().filename() != program)
            fs::create_symlink(entry.path(), dir / entry.path().filename());
    write_script(dir / program,
                 "#!/usr/bin/env bash\nREAL='" + std::string(NETLAB_DEFAULT_BIN_DIR) + "/" + program + "'\n" + wrapper);
}

// The ways of being wrong.
const std::string kExitZero = "\"$REAL\" \"$@\"\nexit 0\n";  // whatever happened
// Holds `sig` 5 s, then stops the program. It cannot exec: it must outlive the program to
// catch the signal. (A background child of a script ignores SIGINT, so TERM is what it passes on.)
std::string slow_on(const std::string& sig)
{
    return "trap 'sleep 5; kill -TERM $child' " + sig +
           "\n"
           "trap 'kill -TERM $child' " +
           std::string(sig == "INT" ? "TERM" : "INT") +
           "\n"
           "\"$REAL\" \"$@\" &\nchild=$!\nwait $child\nwait $child\n";
}
// Runs the program without `option` and its value: as if it ignored the option.
std::string ignoring(const std::string& option)
{
    return "args=()\nskip=0\nfor a in \"$@\"; do\n"
           "  if [ $skip = 1 ]; then skip=0; continue; fi\n"
           "  if [ \"$a\" = " +
           option +
           " ]; then skip=1; continue; fi\n"
           "  args+=(\"$a\")\ndone\nexec \"$REAL\" \"${args[@]}\"\n";
}

// Catch wraps long lines of its report: compare without any whitespace.
std::string squeezed(const std::string& text)
{
    std::string out;
    for (char c : text)
        if (!std::isspace(static_cast<unsigned char>(c)))
            out += c;
    return out;
}

struct Mutant {
    const char* what;
    std::string program, wrapper;
    std::string lesson;                  // test_<lesson>
    std::vector<std::string> selection;  // the test case name, then -c sections
    std::string failure;                 // what the failing test must say
};

Result run_lesson_tests(const std::string& lesson, const std::vector<std::string>& selection, const std::string& bin_dir)
{
    std::vector<std::string> argv{std::string(NETLAB_TESTS_DIR) + "/test_" + lesson};
    argv.insert(argv.end(), selection.begin(), selection.end());
    // A ',' in a test name would separate two names for Catch: escape it, as ctest's names do.
    for (std::size_t at = 0; (at = argv[1].find(',', at)) != std::string::npos; at += 2)
        argv[1].insert(at, "\\");
    return run(argv, {}, 120s, {"NETLAB_BIN_DIR=" + bin_dir});
}

}  // namespace

TEST_CASE("grading: each wrong program that once passed every test is caught by the test of its rule", "[grading]")
{
    const std::string runtime01 =
        "rules: every lesson01 program's runtime error exits 1 with one line naming the call, also with --trace";
    const std::string runtime04 =
        "rules: every lesson04 program's runtime error exits 1 with one line naming the call, also with --trace";
    const std::string stop04 =
        "rules: every lesson04 server stops within 2 s of SIGINT and SIGTERM with status 0, idle and with a client";
    const std::vector<Mutant> mutants{
        {"upper_client exits 0 on a refused connection",
         "upper_client",
         kExitZero,
         "lesson01",
         {runtime01, "-c", "upper_client"},
         "expected exit status 1 (a runtime error), got 0"},
        {"decrypt_server exits 0 when its port is in use",
         "decrypt_server",
         kExitZero,
         "lesson04",
         {runtime04, "-c", "decrypt_server"},
         "expected exit status 1 (a runtime error), got 0"},
        {"thread_server holds SIGINT 5 s",
         "thread_server",
         slow_on("INT"),
         "lesson04",
         {stop04, "-c", "thread_server", "-c", "SIGINT idle"},
         "expected it to stop within 2 s of SIGINT"},
        {"epoll_server holds SIGTERM 5 s",
         "epoll_server",
         slow_on("TERM"),
         "lesson04",
         {stop04, "-c", "epoll_server", "-c", "SIGTERM with a client connected"},
         "expected it to stop within 2 s of SIGTERM"},
        {"app_server ignores --max-header",
         "app_server",
         ignoring("--max-header"),
         "lesson04",
         {"app: --max-header refuses a JSON header longer than it (the default 4096 takes it)"},
         "is over the limit of"},
        {"select_server ignores --timeout",
         "select_server",
         ignoring("--timeout"),
         "lesson04",
         {"models: --timeout drops a silent client (default 300 s), and the server goes on", "-c", "select_server"},
         "the server neither answered nor closed"},
        {"thread_server ignores --backlog",
         "thread_server",
         ignoring("--backlog"),
         "lesson04",
         {"models: --backlog is the listen() backlog (the lecture's 5 by default), as ss shows it", "-c", "thread_server"},
         "backlog_of(roomy.port) == \"17\""},
        {"framed_server ignores --message",
         "framed_server",
         ignoring("--message"),
         "lesson01",
         {"framed --message: the server's own text, its header the length in bytes"},
         "Привет, мир"},
    };
    for (const auto& m : mutants) {
        DYNAMIC_SECTION(m.what)
        {
            const auto right = run_lesson_tests(m.lesson, m.selection, NETLAB_DEFAULT_BIN_DIR);
            INFO("against this build's programs:\n" << right.out << right.err);
            CHECK(right.code == 0);
            CHECK(contains(right.out, "All tests passed"));

            TempDir dir;
            student_folder(dir.path, m.program, m.wrapper);
            const auto wrong = run_lesson_tests(m.lesson, m.selection, dir.path.string());
            INFO("against the wrong " << m.program << ":\n" << wrong.out << wrong.err);
            CHECK(wrong.code != 0);
            CHECK(contains(squeezed(wrong.out), squeezed(m.failure)));
        }
    }
}

TEST_CASE("grading: a right program behind a wrapper script that does not exec is measured over its process tree", "[grading]")
{
    // Passes every signal on at once and exits with the program's status: right, though not exec'd.
    // Descriptors and children are counted over the process tree, so fork_server is still judged right.
    const std::string forwarding =
        "trap 'kill -TERM $child' INT TERM\n"
        "\"$REAL\" \"$@\" &\nchild=$!\nwait $child\nwait $child\n";
    TempDir dir;
    student_folder(dir.path, "fork_server", forwarding);
    for (const auto& selection : std::vector<std::vector<std::string>>{
             {"fork_server: lecture 003's transcript, each child collected on SIGCHLD"},
             {"fork_server --no-reap: the children stay zombies until the server exits"},
             {"rules: every lesson04 server stops within 2 s of SIGINT and SIGTERM with status 0, idle and with a client", "-c",
              "fork_server"}}) {
        INFO(selection.front());
        const auto r = run_lesson_tests("lesson04", selection, dir.path.string());
        INFO(r.out << r.err);
        CHECK(r.code == 0);
        CHECK(contains(r.out, "All tests passed"));
    }
}

namespace {
// scripts/grade on `dir` for lesson01, with this build's tests; its JUnit files go to `junit`.
Result grade(const fs::path& dir, const fs::path& junit)
{
    return run({tool("python3"), std::string(NETLAB_SOURCE_DIR) + "/scripts/grade", dir.string(), "lesson01", "--build",
                NETLAB_BUILD_DIR, "--junit", junit.string(), "-j", "2"},
               {}, 600s);
}

// The line of the table for `exercise`, e.g. "  greeting    9/9     greeting_client greeting_server".
std::string table_row(const std::string& out, const std::string& exercise)
{
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);)
        if (line.rfind("  " + exercise + " ", 0) == 0)
            return line;
    return {};
}
}  // namespace

TEST_CASE(
    "grading: scripts/grade passes the Python greeting_server example on lesson01's greeting tests, and fails a "
    "wrong copy of it",
    "[grading][interop]")
{
    // A student who handed in greeting_server, written in Python (tests/grading/greeting_server.py),
    // and greeting_client (here: this build's).
    const std::string example = std::string(NETLAB_SOURCE_DIR) + "/tests/grading/greeting_server.py";
    std::string source;
    {
        std::ifstream in(example);
        source.assign(std::istreambuf_iterator<char>(in), {});
    }
    REQUIRE(source.find("Thank you for the connection") != std::string::npos);
    auto hand_in = [&](const fs::path& dir, const std::string& program_text) {
        write_script(dir / "greeting_server", program_text);
        fs::create_symlink(std::string(NETLAB_DEFAULT_BIN_DIR) + "/greeting_client", dir / "greeting_client");
    };

    TempDir right, junit;
    hand_in(right.path, source);
    const auto r = grade(right.path, junit.path);
    INFO(r.out << r.err);
    CHECK(r.code == 1);  // the other programs of lesson01 are missing
    const std::string row = table_row(r.out, "greeting");
    REQUIRE_FALSE(row.empty());
    // Its three tests and its seven rule rows (runtime error, client timeout, four stops) passed.
    CHECK(contains(row, " 10/10 "));
    CHECK(contains(row, "greeting_client greeting_server"));
    CHECK_FALSE(contains(row, "failed"));
    CHECK(contains(table_row(r.out, "upper"), "MISSING upper_client, upper_server"));
    CHECK(contains(r.out, "missing from " + right.path.string() + ": "));
    CHECK_FALSE(contains(r.out, "== lesson01 / greeting"));  // no failure of its own
    CHECK(fs::exists(junit.path / "lesson01.xml"));

    // The same program greeting with other words: the greeting tests fail, and say what they expected.
    std::string wrong_text = source;
    wrong_text.replace(wrong_text.find("Thank you for the connection"), 28, "Thanks for connecting");
    TempDir wrong, junit2;
    hand_in(wrong.path, wrong_text);
    const auto w = grade(wrong.path, junit2.path);
    INFO(w.out << w.err);
    CHECK(w.code == 1);
    const std::string wrong_row = table_row(w.out, "greeting");
    CHECK(contains(wrong_row, " failed"));
    CHECK(contains(w.out, "== lesson01 / greeting: greeting: server logs each client, client prints the greeting"));
    const auto failures = w.out.find("Failures");
    REQUIRE(failures != std::string::npos);
    CHECK(contains(w.out.substr(failures), "Thank you for the connection"));  // the expected line...
    CHECK(contains(w.out.substr(failures), "Thanks for connecting"));         // ...and what the program sent
}
