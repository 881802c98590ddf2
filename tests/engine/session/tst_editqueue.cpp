// The session's edit queue on its own (session/editqueue.h): ids in posting order across threads,
// replayed edits due at their frames in id order, records before the session's frame refused by
// name, undo marks in the log, and ids after a restored log.
#include "session/editqueue.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>
#include <vector>

using namespace streamlab::session;

namespace {

EditRecord record(uint64_t id, int64_t frame, Edit edit)
{
    EditRecord r;
    r.id = id;
    r.frame = frame;
    r.edit = std::move(edit);
    return r;
}

} // namespace

TEST(EditQueue, PostedEditsGetDistinctIdsAndComeDueInIdOrder)
{
    EditQueue queue;
    std::vector<std::thread> posters;
    for (int t = 0; t < 4; ++t)
        posters.emplace_back([&queue, t] {
            for (int k = 0; k < 50; ++k)
                queue.post(Edit::setScalar("a", "flag", t));
        });
    for (auto &p : posters)
        p.join();
    const auto due = queue.takeDue(0);
    ASSERT_EQ(due.size(), 200u);
    for (size_t i = 0; i < due.size(); ++i)
        EXPECT_EQ(due[i].id, i + 1);
    EXPECT_TRUE(queue.takeDue(0).empty());
}

TEST(EditQueue, ScheduledEditsComeDueAtTheirFramesAndEarlierOnesAreRefused)
{
    EditQueue queue;
    const auto messages = queue.schedule({record(7, 5, Edit::setScalar("a", "flag", 1)),
                                          record(3, 2, Edit::setScalar("b", "flag", 0)),
                                          record(9, 2, Edit::setScalar("c", "flag", 1)),
                                          record(2, 0, Edit::setScalar("d", "flag", 1))},
                                         1);
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0], "edit #2 of frame 0 lies before frame 1; not scheduled");
    EXPECT_TRUE(queue.takeDue(1).empty());
    const uint64_t posted = queue.post(Edit::setScalar("e", "flag", 0));
    EXPECT_EQ(posted, 10u); // after the largest scheduled id
    const auto at2 = queue.takeDue(2);
    ASSERT_EQ(at2.size(), 3u);
    EXPECT_EQ(at2[0].id, 3u);
    EXPECT_EQ(at2[1].id, 9u);
    EXPECT_EQ(at2[2].id, 10u);
    EXPECT_TRUE(queue.takeDue(4).empty());
    const auto at5 = queue.takeDue(5);
    ASSERT_EQ(at5.size(), 1u);
    EXPECT_EQ(at5[0].edit.item, "a");
}

TEST(EditQueue, UndoMarksTheUndoneEditAndAnUndoOfAnUndoClearsTheMark)
{
    EditQueue queue;
    const uint64_t before = queue.revision();
    queue.append(record(1, 0, Edit::setScalar("a", "flag", 0)));
    queue.append(record(2, 0, Edit::undoOf(1)));
    auto log = queue.log();
    ASSERT_EQ(log.size(), 2u);
    EXPECT_EQ(log[0].undoneBy, 2u);
    queue.append(record(3, 1, Edit::undoOf(2)));
    log = queue.log();
    EXPECT_EQ(log[0].undoneBy, 0u); // edit 1 holds again
    EXPECT_EQ(log[1].undoneBy, 3u);
    EXPECT_EQ(queue.revision(), before + 3);
    queue.fail(4, "no item 'x'");
    const auto errors = queue.takeErrors();
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].id, 4u);
    EXPECT_EQ(errors[0].message, "no item 'x'");
    EXPECT_TRUE(queue.takeErrors().empty());
}

TEST(EditQueue, IdsContinueAfterARestoredLog)
{
    EditQueue queue;
    queue.restore({record(12, 3, Edit::setScalar("a", "flag", 0)),
                   record(40, 8, Edit::setScalar("b", "flag", 1))});
    EXPECT_EQ(queue.log().size(), 2u);
    EXPECT_EQ(queue.post(Edit::setScalar("c", "flag", 1)), 41u);
    const size_t found = queue.withLog([](const std::vector<EditRecord> &log) {
        return static_cast<size_t>(std::count_if(
            log.begin(), log.end(), [](const EditRecord &r) { return r.edit.item == "b"; }));
    });
    EXPECT_EQ(found, 1u);
}
