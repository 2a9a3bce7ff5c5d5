/* test_sequencer.c - the event-time merge: the order of release, the
 * caught-up rule, unordered heads, late events, removal and rewind. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "sequencer.h"

#define IDLE 100

/* Items are their own keys, so a popped item says what it was. */
static seq_key *key(int64_t t, int kind, int32_t partition, int64_t offset)
{
    seq_key *k = malloc(sizeof(*k));
    assert_non_null(k);
    *k = (seq_key){t, kind, partition, offset};
    return k;
}

/* Queue k arriving at now; push() is at 0, before any caught-up time. */
static void push_at(seq *s, int in, seq_key *k, int64_t now)
{
    assert_int_equal(seq_push(s, in, k, k, now), 0);
}

static void push(seq *s, int in, seq_key *k)
{
    push_at(s, in, k, 0);
}

/* Pops one item, which must be at (t, partition, offset) with this lateness. */
static void expect(seq *s, int64_t now, int64_t t, int32_t partition, int64_t offset, int late)
{
    int was_late = -1;
    seq_key *k = seq_pop(s, now, &was_late);
    assert_non_null(k);
    assert_int_equal(k->time_ms, t);
    assert_int_equal(k->partition, partition);
    assert_int_equal(k->offset, offset);
    assert_int_equal(was_late, late);
    free(k);
}

static void expect_none(seq *s, int64_t now)
{
    int late = -1;
    assert_null(seq_pop(s, now, &late));
    assert_int_equal(late, 0);
}

static void free_item(void *item, void *arg)
{
    (*(int *)arg)++;
    free(item);
}

static void test_key_order(void **state)
{
    (void)state;
    seq_key a = {10, SEQ_TRANSFER, 5, 9}, b = {10, SEQ_REPORT, 0, 0}, c = {10, SEQ_TRANSFER, 6, 0},
            d = {10, SEQ_TRANSFER, 5, 10}, e = {9, SEQ_REPORT, 99, 99};
    assert_true(seq_key_cmp(&e, &a) < 0); /* time first */
    assert_true(seq_key_cmp(&a, &b) < 0); /* a transfer before a report of the same ms */
    assert_true(seq_key_cmp(&a, &c) < 0); /* then the partition */
    assert_true(seq_key_cmp(&a, &d) < 0); /* then the offset */
    assert_true(seq_key_cmp(&d, &a) > 0);
    assert_int_equal(seq_key_cmp(&a, &a), 0);
}

/* Three partitions with their backlogs: released as one sort by the key,
 * whatever order they were pushed in; nothing before every input has a
 * head, and the last events wait for the empty inputs to be quiet. */
static void test_merge_is_a_sort(void **state)
{
    (void)state;
    seq *s = seq_new(IDLE);
    assert_non_null(s);
    int p0 = seq_input_add(s), p1 = seq_input_add(s), p2 = seq_input_add(s);
    assert_true(p0 >= 0 && p1 >= 0 && p2 >= 0);
    push(s, p1, key(5, SEQ_TRANSFER, 1, 0));
    push(s, p1, key(7, SEQ_TRANSFER, 1, 1));
    push(s, p0, key(1, SEQ_TRANSFER, 0, 0));
    push(s, p0, key(7, SEQ_TRANSFER, 0, 1)); /* ties with p1's: partition breaks it */
    expect_none(s, 0);                       /* p2 has not been read yet */
    push(s, p2, key(6, SEQ_TRANSFER, 2, 0));
    assert_int_equal(seq_pending(s), 5);
    expect(s, 0, 1, 0, 0, 0);
    expect(s, 0, 5, 1, 0, 0);
    expect(s, 0, 6, 2, 0, 0);
    expect_none(s, 0); /* p2 is empty and not known to be caught up */
    seq_caught_up(s, p2, 1000);
    expect_none(s, 1000 + IDLE - 1); /* caught up, not yet quiet long enough */
    expect(s, 1000 + IDLE, 7, 0, 1, 0);
    expect_none(s, 1000 + IDLE); /* p0 is empty now */
    seq_caught_up(s, p0, 1050);
    seq_caught_up(s, p0, 1150); /* repeated: the first call counts */
    expect(s, 1050 + IDLE, 7, 1, 1, 0);
    assert_int_equal(seq_pending(s), 0);
    expect_none(s, 5000);
    seq_free(s);
}

/* Reports sort at their time, after the transfers of the same millisecond. */
static void test_kinds(void **state)
{
    (void)state;
    seq *s = seq_new(0);
    int tr = seq_input_add(s), rep = seq_input_add(s);
    push(s, rep, key(10, SEQ_REPORT, 0, 0));
    push(s, tr, key(10, SEQ_TRANSFER, 3, 0));
    push(s, tr, key(11, SEQ_TRANSFER, 3, 1));
    seq_caught_up(s, rep, 0);
    seq_caught_up(s, tr, 0);
    expect(s, 0, 10, 3, 0, 0);
    int late;
    seq_key *k = seq_pop(s, 0, &late);
    assert_int_equal(k->kind, SEQ_REPORT);
    free(k);
    expect(s, 0, 11, 3, 1, 0);
    seq_free(s);
}

/* A refused message changes no state: released as soon as it heads its
 * FIFO, without waiting for the merge, and only then what is behind it. */
static void test_unordered_heads(void **state)
{
    (void)state;
    seq *s = seq_new(0);
    int p0 = seq_input_add(s), p1 = seq_input_add(s);
    seq_key *bad = key(0, 0, 0, 0);
    assert_int_equal(seq_push(s, p0, NULL, bad, 0), 0);
    push(s, p0, key(50, SEQ_TRANSFER, 0, 1));
    int late = -1;
    assert_ptr_equal(seq_pop(s, 0, &late), bad); /* p1 is not caught up: no matter */
    assert_int_equal(late, 0);
    free(bad);
    expect_none(s, 0); /* the transfer behind it waits for p1 */
    push(s, p1, key(40, SEQ_TRANSFER, 1, 0));
    expect(s, 0, 40, 1, 0, 0);
    seq_caught_up(s, p1, 0);
    expect(s, 0, 50, 0, 1, 0);
    seq_free(s);
}

/* Live input: a caught-up empty input does not hold the merge back; what
 * arrives on it later with an earlier time is released at once and late. */
static void test_late_events(void **state)
{
    (void)state;
    seq *s = seq_new(IDLE);
    int p0 = seq_input_add(s), p1 = seq_input_add(s);
    seq_caught_up(s, p1, 0);
    push(s, p0, key(100, SEQ_TRANSFER, 0, 0));
    push(s, p0, key(200, SEQ_TRANSFER, 0, 1));
    expect(s, IDLE, 100, 0, 0, 0);
    expect(s, IDLE, 200, 0, 1, 0);
    seq_behind(s, p1); /* a message of p1 was consumed */
    push(s, p0, key(300, SEQ_TRANSFER, 0, 2));
    expect_none(s, 10 * IDLE); /* waits for p1's head */
    push(s, p1, key(150, SEQ_TRANSFER, 1, 0));
    push(s, p1, key(250, SEQ_TRANSFER, 1, 1));
    push(s, p1, key(400, SEQ_TRANSFER, 1, 2));
    expect(s, 10 * IDLE, 150, 1, 0, 1); /* before 200, released already */
    expect(s, 10 * IDLE, 250, 1, 1, 0); /* after 200: in order again */
    expect(s, 10 * IDLE, 300, 0, 2, 0);
    seq_caught_up(s, p0, 10 * IDLE);
    expect(s, 11 * IDLE, 400, 1, 2, 0);
    seq_free(s);
}

/* Live input after a quiet spell: an event is held idle_ms after it
 * arrived, even by inputs caught up long before, so that an earlier event
 * produced with it and appended to another partition a little later is
 * released before it, not late. */
static void test_arrival_allowance(void **state)
{
    (void)state;
    seq *s = seq_new(IDLE);
    int p0 = seq_input_add(s), p1 = seq_input_add(s);
    seq_caught_up(s, p0, 0);
    seq_caught_up(s, p1, 0);
    push_at(s, p0, key(500, SEQ_TRANSFER, 0, 0), 5000);
    expect_none(s, 5000 + IDLE - 1); /* p1 is quiet, but only since before it */
    push_at(s, p1, key(499, SEQ_TRANSFER, 1, 0), 5030);
    expect(s, 5030, 499, 1, 0, 0); /* every input has a head: no wait */
    seq_caught_up(s, p1, 5040);
    expect_none(s, 5040 + IDLE - 1); /* p1 went quiet after 500 arrived */
    expect(s, 5040 + IDLE, 500, 0, 0, 0);
    /* An input that arrived long after: held its own idle_ms. */
    seq_caught_up(s, p0, 5040 + IDLE);
    push_at(s, p1, key(900, SEQ_TRANSFER, 1, 1), 9000);
    expect_none(s, 9000 + IDLE - 1);
    expect(s, 9000 + IDLE, 900, 1, 1, 0);
    seq_free(s);
}

/* An input that is not caught up holds the merge back however long it takes. */
static void test_behind_holds(void **state)
{
    (void)state;
    seq *s = seq_new(0);
    int p0 = seq_input_add(s), p1 = seq_input_add(s);
    push(s, p0, key(1, SEQ_TRANSFER, 0, 0));
    seq_caught_up(s, p1, 0);
    seq_behind(s, p1);
    expect_none(s, INT64_MAX / 2);
    seq_caught_up(s, p1, 10);
    expect(s, 10, 1, 0, 0, 0);
    seq_free(s);
}

/* A removed input stops holding the merge back and gives its items to drop;
 * its id is reused for a new, empty input. */
static void test_remove(void **state)
{
    (void)state;
    int dropped = 0;
    seq *s = seq_new(0);
    int p0 = seq_input_add(s), p1 = seq_input_add(s);
    push(s, p0, key(1, SEQ_TRANSFER, 0, 0));
    push(s, p1, key(2, SEQ_TRANSFER, 1, 0));
    push(s, p1, key(3, SEQ_TRANSFER, 1, 1));
    seq_input_remove(s, p1, free_item, &dropped);
    assert_int_equal(dropped, 2);
    assert_int_equal(seq_pending(s), 1);
    expect(s, 0, 1, 0, 0, 0);
    int p2 = seq_input_add(s);
    assert_int_equal(p2, p1);
    assert_int_equal(seq_pending_input(s, p2), 0);
    push(s, p0, key(5, SEQ_TRANSFER, 0, 1));
    expect_none(s, 0); /* the new input is not caught up */
    seq_drop(s, free_item, &dropped);
    assert_int_equal(dropped, 3);
    seq_free(s);
}

/* After an abort the interval is screened again: drop what is queued, go
 * back to the key of the checkpoint, and the same events are not late. */
static void test_rewind(void **state)
{
    (void)state;
    int dropped = 0;
    seq *s = seq_new(0);
    int p0 = seq_input_add(s);
    seq_caught_up(s, p0, 0);
    push(s, p0, key(10, SEQ_TRANSFER, 0, 0));
    expect(s, 0, 10, 0, 0, 0);
    seq_mark(s);
    push(s, p0, key(20, SEQ_TRANSFER, 0, 1));
    push(s, p0, key(30, SEQ_TRANSFER, 0, 2));
    expect(s, 0, 20, 0, 1, 0);
    seq_drop(s, free_item, &dropped);
    assert_int_equal(dropped, 1);
    assert_int_equal(seq_pending(s), 0);
    seq_rewind(s);
    push(s, p0, key(20, SEQ_TRANSFER, 0, 1));
    expect(s, 0, 20, 0, 1, 0); /* not late: the mark is 10 */
    push(s, p0, key(15, SEQ_TRANSFER, 0, 9));
    expect(s, 0, 15, 0, 9, 1);
    seq_free(s);
}

/* Many items through one input: the ring grows and keeps the order. */
static void test_growth(void **state)
{
    (void)state;
    seq *s = seq_new(0);
    int p0 = seq_input_add(s);
    for (int i = 0; i < 1000; i++)
        push(s, p0, key(i, SEQ_TRANSFER, 0, i));
    seq_caught_up(s, p0, 0);
    for (int i = 0; i < 500; i++)
        expect(s, 0, i, 0, i, 0);
    for (int i = 1000; i < 1300; i++)
        push(s, p0, key(i, SEQ_TRANSFER, 0, i));
    for (int i = 500; i < 1300; i++)
        expect(s, 0, i, 0, i, 0);
    seq_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_order),   cmocka_unit_test(test_merge_is_a_sort),
        cmocka_unit_test(test_kinds),       cmocka_unit_test(test_unordered_heads),
        cmocka_unit_test(test_late_events), cmocka_unit_test(test_behind_holds),
        cmocka_unit_test(test_remove),      cmocka_unit_test(test_rewind),
        cmocka_unit_test(test_growth),      cmocka_unit_test(test_arrival_allowance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
