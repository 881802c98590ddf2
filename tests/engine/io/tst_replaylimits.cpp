// What --replay reads is bounded: only regular files (a device or a pipe never ends), at most
// EditLogMaxBytes, lines of at most EditLogMaxLineLength; binary or non-UTF-8 content is refused
// at its first bad line, and every number a replay acts on is checked. streamlab-run must answer
// each of these at once with FILE:LINE and what is wrong.
#include "savetest.h"
#include "session/editlog.h"

#include <sys/stat.h>
#include <unistd.h>

using namespace streamlab;

namespace {

const std::string kHeader
    = R"({"format":"streamlab-edit-log","version":1,"network":"demo","seed":1})";

std::string record(const std::string &fields)
{
    return "{" + fields + R"(,"time":"t","item":"classify","param":"lr","edit":"set","value":0.01,)"
        + R"("old":0.001,"new":0.01})";
}

bool contains(const std::string &text, const std::string &part)
{
    return text.find(part) != std::string::npos;
}

test::CliResult replay(const std::string &log)
{
    return test::runStreamlab("--replay " + log + " " + test::sourcePath("examples/demo.st_graph")
                                  + " --frames 1 --quiet --threads 1",
                              30);
}

} // namespace

TEST(ReplayLimits, DevicesAndPipesAreRefusedAtOnce)
{
    const auto random = replay("/dev/urandom");
    EXPECT_EQ(random.code, 1) << "exit code " << random.code << " (124: it never ended)";
    EXPECT_TRUE(contains(random.err,
                         "'/dev/urandom' is not a regular file (a character device); an edit log "
                         "is a text file written by savelog"))
        << random.err;

    const std::string dir = test::makeTempDir("io-replay-pipe");
    ASSERT_EQ(::mkfifo((dir + "/pipe").c_str(), 0644), 0);
    const auto pipe = replay(dir + "/pipe");
    EXPECT_EQ(pipe.code, 1) << "exit code " << pipe.code << " (124: it waited for a writer)";
    EXPECT_TRUE(contains(pipe.err, "is not a regular file (a named pipe)")) << pipe.err;

    const auto folder = replay(dir);
    EXPECT_EQ(folder.code, 1);
    EXPECT_TRUE(contains(folder.err, "is not a regular file (a folder)")) << folder.err;
}

TEST(ReplayLimits, LargeFilesAndLongLinesAreRefused)
{
    const std::string dir = test::makeTempDir("io-replay-large");
    // A sparse file one byte over the limit (64 MiB): refused by its size, nothing is read.
    {
        const std::string path = dir + "/huge.log";
        test::writeFile(path, kHeader + "\n");
        ASSERT_EQ(::truncate(path.c_str(), (off_t(64) << 20) + 1), 0);
        std::string error;
        EXPECT_FALSE(session::readEditLog(path, &error));
        EXPECT_EQ(error, "'" + path + "' is larger than 64 MiB, the most an edit log may be");
    }
    // Random bytes without a newline: one very long first line.
    {
        std::string noise(200000, 'x');
        test::writeFile(dir + "/long.log",
                        kHeader + "\n" + record(R"("id":1,"frame":0)") + "\n" + noise + "\n");
        std::string error;
        EXPECT_FALSE(session::readEditLog(dir + "/long.log", &error));
        EXPECT_EQ(error,
                  dir
                      + "/long.log:3: the line is 200000 bytes long; a record is at most 65536 "
                        "(is this an edit log?)");
        const auto r = replay(dir + "/long.log");
        EXPECT_EQ(r.code, 1);
        EXPECT_TRUE(contains(r.err, dir + "/long.log:3: the line is 200000 bytes long")) << r.err;
    }
}

TEST(ReplayLimits, BinaryContentIsRefusedAtTheFirstBadLine)
{
    struct Case
    {
        std::string text, error;
    };
    const std::string good = record(R"("id":1,"frame":0)");
    const std::vector<Case> cases {
        {kHeader + "\n" + good + std::string("\n{\"id\":2\x00\x01}\n\xff\n", 14),
         "f.log:3: column 8: control character 0x00: this is not a text file"},
        {kHeader + "\n# caf\xc3\xa9 \xe2\x82\xac fine\n" + good + "\n\xff\xfe\n",
         "f.log:4: column 1: byte 0xff is not UTF-8 text"},
        {kHeader + "\n" + "{\"id\":1,\"time\":\"\xc0\xaf\"}\n",
         "f.log:2: column 17: byte 0xc0 is not UTF-8 text"}, // an overlong '/'
        {kHeader + "\n" + "{\"id\":1,\"time\":\"\xed\xa0\x80\"}\n",
         "f.log:2: column 17: byte 0xed is not UTF-8 text"}, // a surrogate
        {kHeader + "\n" + "{\"id\":1,\"time\":\"\xe2\x82\"}\n",
         "f.log:2: column 17: byte 0xe2 is not UTF-8 text"}, // cut short
        {"\x89HDF\r\n\x1a\n", "f.log:1: column 1: byte 0x89 is not UTF-8 text"},
    };
    for (const auto &c : cases) {
        std::string error;
        EXPECT_FALSE(session::parseEditLog(c.text, "f.log", &error)) << c.text;
        EXPECT_EQ(error, c.error);
    }
    // streamlab-run on a model file given as a log.
    const std::string dir = test::makeTempDir("io-replay-binary");
    const std::string model = dir + "/m.h5";
    ASSERT_EQ(test::runStreamlab(test::sourcePath("examples/demo.st_graph")
                                 + " --frames 0 --quiet --save " + model)
                  .code,
              0);
    const auto r = replay(model);
    EXPECT_EQ(r.code, 1);
    EXPECT_TRUE(contains(r.err, model + ":1: column 1: byte 0x89 is not UTF-8 text")) << r.err;
}

TEST(ReplayLimits, EveryNumberIsChecked)
{
    struct Case
    {
        std::string record, error;
    };
    const std::string undo
        = R"(,"time":"t","item":"classify","param":"lr","edit":"undo","old":0,"new":0)";
    const std::string tensor
        = R"(,"time":"t","item":"image_edges","param":"W_0_0","edit":"tensor","op":"zero")";
    const std::vector<Case> cases {
        {record(R"("id":0,"frame":0)"),
         "f.log:2: field \"id\" is 0: edit ids are 1 to 9007199254740992"},
        {record(R"("id":18446744073709551615,"frame":0)"),
         "f.log:2: field \"id\" is 18446744073709551615: edit ids are 1 to 9007199254740992"},
        {record(R"("id":1,"frame":-3)"),
         "f.log:2: field \"frame\" is -3: frames are 0 to 9007199254740992"},
        {record(R"("id":1,"frame":9223372036854775807)"),
         "f.log:2: field \"frame\" is 9223372036854775807: frames are 0 to 9007199254740992"},
        {record(R"("id":1,"frame":99999999999999999999)"),
         "f.log:2: field \"frame\" must be an integer, got 99999999999999999999"},
        {R"({"id":2,"frame":0,"undo":0)" + undo + "}",
         "f.log:2: field \"undo\" is 0: edit ids are 1 to 9007199254740992"},
        {record(R"("id":1,"frame":0,"undone_by":18446744073709551615)"),
         "f.log:2: field \"undone_by\" is 18446744073709551615: edit ids are 1 to "
         "9007199254740992"},
        {R"({"id":1,"frame":0,"select":"element","index":[0,-1,0,0])" + tensor + "}",
         "f.log:2: field \"index\" holds -1: indices are 0 or more"},
        {R"({"id":1,"frame":0,"select":"element","index":[0,0,0,0,0,0])" + tensor + "}",
         "f.log:2: field \"index\" has 6 entries; a tensor has at most 5 axes"},
        {record(R"("id":1,"frame":0)") + "\n" + record(R"("id":1,"frame":2)"),
         "f.log:3: edit #1 appears twice (also on line 2)"},
    };
    for (const auto &c : cases) {
        std::string error;
        EXPECT_FALSE(session::parseEditLog(kHeader + "\n" + c.record + "\n", "f.log", &error))
            << c.record;
        EXPECT_EQ(error, c.error) << c.record;
    }
    std::string error;
    EXPECT_FALSE(session::parseEditLog(
        R"({"format":"streamlab-edit-log","version":0,"network":"demo","seed":1})", "f.log",
        &error));
    EXPECT_EQ(error, "f.log:1: header: field \"version\" is 0; versions start at 1");

    // streamlab-run refuses such a log before it streams.
    const std::string dir = test::makeTempDir("io-replay-numbers");
    test::writeFile(dir + "/far.log",
                    kHeader + "\n" + record(R"("id":1,"frame":9223372036854775807)") + "\n");
    const auto r = replay(dir + "/far.log");
    EXPECT_EQ(r.code, 1) << r.err;
    EXPECT_TRUE(contains(r.err, dir + "/far.log:2: field \"frame\" is 9223372036854775807"))
        << r.err;
}
