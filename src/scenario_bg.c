/* scenario_bg.c - the everyday background of a scenario: shopping, bills,
 * peer transfers, trade with suppliers, payroll bursts and the salary
 * spending that follows, generated one time slice at a time.
 *
 * The background count is exact: every slice gets a quota, the share of
 * the daily rhythm that falls into it, plus the salaries paid in it. Salary
 * spending, scheduled days ahead when the salary is paid, fills a slice's
 * quota first (anything over the quota is dropped and counted), and
 * spontaneous transfers fill the rest.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scenario_int.h"

#define SLICE_TARGET    50000 /* background transfers per slice, on average at most */
#define SALARY_PERMILLE 40    /* payroll at most this share of the background */
#define PAYROLL_STEP_MS 150   /* one employee after the other in a payroll run */
#define FRIENDS_MAX     20
#define SUPPLIERS_MAX   10
#define SPEND_DELAY_MIN (2 * SCN_HOUR_MS)
#define SPEND_DELAY_MAX (5 * SCN_DAY_MS)

/* Transfers per local hour, relative (per mille of the busiest hour):
 * quiet nights, a morning rise, busy daytime and evening. */
static const int rhythm[24] = {120, 70,  45,  35,  35,  55,  130,  320,  560, 800, 950, 1000,
                               960, 900, 900, 920, 940, 980, 1000, 1000, 950, 820, 560, 300};

int scn_rhythm(int hour)
{
    return rhythm[hour];
}

int scn_local_hour(int64_t ms)
{
    return (int)(((ms + SCN_LOCAL_OFFSET_MS) / SCN_HOUR_MS) % 24);
}

/* The rhythm integrated over [t0, t1). */
static double rhythm_mass(int64_t t0, int64_t t1)
{
    double m = 0;
    while (t0 < t1) {
        int64_t next =
            ((t0 + SCN_LOCAL_OFFSET_MS) / SCN_HOUR_MS + 1) * SCN_HOUR_MS - SCN_LOCAL_OFFSET_MS;
        int64_t e = next < t1 ? next : t1;
        m += (double)(e - t0) * rhythm[scn_local_hour(t0)];
        t0 = e;
    }
    return m;
}

/* ---- payroll ---------------------------------------------------------- */

/* Local midnights in the timeline by day of the month; a timeline of up to
 * 30 days meets each day of the month at most twice. */
typedef struct paydays {
    int64_t at[29][2];
    int n[29];
} paydays;

static void find_paydays(const scn *s, paydays *pd)
{
    memset(pd, 0, sizeof(*pd));
    int64_t d0 = (s->start_ms + SCN_LOCAL_OFFSET_MS) / SCN_DAY_MS;
    int64_t d1 = (s->end_ms + SCN_LOCAL_OFFSET_MS) / SCN_DAY_MS;
    for (int64_t d = d0; d <= d1; d++) {
        time_t tt = (time_t)(d * 86400);
        struct tm tm;
        gmtime_r(&tt, &tm);
        if (tm.tm_mday <= 28 && pd->n[tm.tm_mday] < 2)
            pd->at[tm.tm_mday][pd->n[tm.tm_mday]++] = d * SCN_DAY_MS - SCN_LOCAL_OFFSET_MS;
    }
}

/* Employees paid in the timeline, per business rank; their total. */
static int64_t count_employees(const scn *s, const paydays *pd, int32_t *emp)
{
    const gen_pop *p = &s->pop;
    int64_t np = gen_pop_count(p, GEN_PERSON), total = 0;
    for (int64_t k = 0; k < np; k++) {
        int64_t i = gen_pop_index(p, GEN_PERSON, k), b = gen_pop_employer(p, i), kb;
        if (b < 0 || gen_pop_dormant(p, i))
            continue;
        gen_pop_class(p, b, &kb);
        int n = pd->n[gen_pop_payday(p, b, NULL)];
        emp[kb] += n;
        total += n;
    }
    return total;
}

/* Choose which businesses pay in this timeline: all whose payday falls in
 * it, unless payroll would outgrow its share of the background; then a
 * random subset that fits. */
static int select_payers(scn *s, const int32_t *emp, int64_t total, uint8_t *sel)
{
    int64_t nb = gen_pop_count(&s->pop, GEN_BUSINESS);
    int64_t cap = s->bg_total * SALARY_PERMILLE / 1000;
    if (total <= cap) {
        for (int64_t b = 0; b < nb; b++)
            sel[b] = emp[b] > 0;
        return 0;
    }
    int64_t *order = malloc((size_t)nb * sizeof(*order));
    if (!order)
        return -1;
    gen r;
    gen_fork(&r, &s->root, SCN_STREAM_PLAN);
    for (int64_t b = 0; b < nb; b++)
        order[b] = b;
    for (int64_t b = nb - 1; b > 0; b--) {
        int64_t j = gen_below(&r, b + 1), t = order[b];
        order[b] = order[j];
        order[j] = t;
    }
    int64_t sum = 0;
    for (int64_t k = 0; k < nb; k++) {
        int64_t b = order[k];
        if (emp[b] > 0 && sum + emp[b] <= cap) {
            sel[b] = 1;
            sum += emp[b];
        }
    }
    free(order);
    return 0;
}

/* One person's salaries from a selected employer. */
static int add_salaries(scn *s, const paydays *pd, int64_t i, int64_t b, int32_t ord)
{
    int64_t offset;
    int day = gen_pop_payday(&s->pop, b, &offset);
    for (int o = 0; o < pd->n[day]; o++) {
        int64_t t = pd->at[day][o] + offset + (int64_t)ord * PAYROLL_STEP_MS;
        if (t < s->start_ms || t >= s->end_ms)
            continue;
        scn_salary *sa = vec_push(&s->salaries, sizeof(*sa));
        if (!sa)
            return -1;
        sa->time_ms = t;
        sa->person = i;
        sa->employer = b;
        sa->amount = gen_pop_salary(&s->pop, i);
    }
    return 0;
}

static int collect_salaries(scn *s, const paydays *pd, const uint8_t *sel, int32_t *ord)
{
    const gen_pop *p = &s->pop;
    int64_t np = gen_pop_count(p, GEN_PERSON);
    for (int64_t k = 0; k < np; k++) {
        int64_t i = gen_pop_index(p, GEN_PERSON, k), b = gen_pop_employer(p, i), kb;
        if (b < 0 || gen_pop_dormant(p, i))
            continue;
        gen_pop_class(p, b, &kb);
        if (sel[kb] && add_salaries(s, pd, i, b, ord[kb]++) != 0)
            return -1;
    }
    return 0;
}

static int cmp_salary(const void *a, const void *b)
{
    const scn_salary *x = a, *y = b;
    if (x->time_ms != y->time_ms)
        return x->time_ms < y->time_ms ? -1 : 1;
    return (x->person > y->person) - (x->person < y->person);
}

static int plan_payroll(scn *s)
{
    paydays pd;
    find_paydays(s, &pd);
    int64_t nb = gen_pop_count(&s->pop, GEN_BUSINESS);
    int32_t *emp = calloc((size_t)nb, sizeof(*emp));
    uint8_t *sel = calloc((size_t)nb, 1);
    int rc = -1;
    if (!emp || !sel)
        goto out;
    int64_t total = count_employees(s, &pd, emp);
    if (select_payers(s, emp, total, sel) != 0)
        goto out;
    memset(emp, 0, (size_t)nb * sizeof(*emp)); /* now each business's payroll position */
    if (collect_salaries(s, &pd, sel, emp) != 0)
        goto out;
    if (s->salaries.n > 0)
        qsort(s->salaries.p, (size_t)s->salaries.n, sizeof(scn_salary), cmp_salary);
    rc = 0;
out:
    free(emp);
    free(sel);
    return rc;
}

/* ---- slices ----------------------------------------------------------- */

static int plan_slices(scn *s)
{
    int64_t span = s->end_ms - s->start_ms;
    int64_t n = (span + SCN_HOUR_MS - 1) / SCN_HOUR_MS;
    int64_t by_volume = (s->bg_total + SLICE_TARGET - 1) / SLICE_TARGET;
    n = n > by_volume ? n : by_volume;
    n = n < 1 ? 1 : n;
    s->slice_len = (span + n - 1) / n;
    s->nslices = (span + s->slice_len - 1) / s->slice_len;
    s->mass = malloc((size_t)(s->nslices + 1) * sizeof(*s->mass));
    if (!s->mass)
        return -1;
    s->mass[0] = 0;
    for (int64_t j = 0; j < s->nslices; j++) {
        int64_t t0 = s->start_ms + j * s->slice_len;
        int64_t t1 = j + 1 == s->nslices ? s->end_ms : t0 + s->slice_len;
        s->mass[j + 1] = s->mass[j] + rhythm_mass(t0, t1);
    }
    return 0;
}

int scn_bg_plan(scn *s, char *errstr, size_t errstr_size)
{
    if (plan_payroll(s) != 0 || plan_slices(s) != 0) {
        snprintf(errstr, errstr_size, "out of memory planning the background");
        return -1;
    }
    return 0;
}

/* Spontaneous transfers and spending due in slice j: the rhythm's share of
 * everything but payroll, rounded so that the slices add up exactly. */
static int64_t slice_quota(const scn *s, int64_t j)
{
    double rest = (double)(s->bg_total - s->salaries.n), all = s->mass[s->nslices];
    if (all <= 0)
        return j == 0 ? s->bg_total - s->salaries.n : 0;
    int64_t hi = (int64_t)(rest * s->mass[j + 1] / all + 0.5);
    int64_t lo = (int64_t)(rest * s->mass[j] / all + 0.5);
    return hi - lo;
}

/* ---- the salary spending heap ----------------------------------------- */

static int bg_before(const scn_bg *a, const scn_bg *b)
{
    return a->time_ms < b->time_ms || (a->time_ms == b->time_ms && a->tie < b->tie);
}

static int heap_push(scn *s, const scn_bg *b)
{
    scn_bg *slot = vec_push(&s->heap, sizeof(*slot));
    if (!slot)
        return -1;
    scn_bg *h = s->heap.p;
    int64_t i = s->heap.n - 1;
    *slot = *b;
    slot->tie = s->heap_tie++;
    while (i > 0 && bg_before(&h[i], &h[(i - 1) / 2])) {
        scn_bg t = h[i];
        h[i] = h[(i - 1) / 2];
        h[(i - 1) / 2] = t;
        i = (i - 1) / 2;
    }
    return 0;
}

static scn_bg heap_pop(scn *s)
{
    scn_bg *h = s->heap.p, top = h[0];
    int64_t n = --s->heap.n, i = 0;
    h[0] = h[n];
    for (;;) {
        int64_t l = 2 * i + 1, m = i;
        if (l < n && bg_before(&h[l], &h[m]))
            m = l;
        if (l + 1 < n && bg_before(&h[l + 1], &h[m]))
            m = l + 1;
        if (m == i)
            break;
        scn_bg t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
    return top;
}

/* ---- spending after a salary ------------------------------------------ */

/* When a salary's owner spends: two hours to five days later, at a time of
 * day the rhythm makes likely. */
static int64_t spend_time(gen *r, int64_t paid)
{
    int64_t t = paid;
    for (int tries = 0; tries < 16; tries++) {
        t = paid + gen_range(r, SPEND_DELAY_MIN, SPEND_DELAY_MAX);
        if (gen_below(r, 1000) < rhythm[scn_local_hour(t)])
            break;
    }
    return t;
}

static int schedule(scn *s, int64_t time_ms, int64_t from, int64_t to, int64_t amount, int kind,
                    int channel)
{
    if (time_ms >= s->end_ms || amount < 1)
        return 0; /* after the end of the timeline: never happens here */
    scn_bg b = {.time_ms = time_ms,
                .amount = amount,
                .from = from,
                .to = to,
                .kind = (uint8_t)kind,
                .channel = (uint8_t)channel};
    return heap_push(s, &b);
}

/* A person spends 75-95% of a salary within days: some on rent to a
 * landlord, the rest at merchants and billers. This is the slow
 * pass-through a screener must not flag. */
static int schedule_spending(scn *s, const scn_salary *sa, int64_t idx)
{
    gen r;
    gen_fork(&r, &s->root, SCN_STREAM_SPEND + (uint64_t)idx);
    int64_t budget = sa->amount * gen_range(&r, 750, 950) / 1000;
    if (gen_below(&r, 1000) < 350) {
        int64_t landlord = gen_pop_any(&s->pop, &r, GEN_PERSON);
        int64_t rent = sa->amount * gen_range(&r, 250, 400) / 1000;
        if (landlord != sa->person) {
            if (schedule(s, spend_time(&r, sa->time_ms), sa->person, landlord, rent, SCN_BG_RENT,
                         IX_CHANNEL_MOBILE) != 0)
                return -1;
            budget -= rent;
        }
    }
    int n = (int)gen_range(&r, 3, 8);
    int64_t w[8], sum = 0;
    for (int k = 0; k < n; k++)
        sum += w[k] = gen_range(&r, 200, 1000);
    for (int k = 0; k < n; k++) {
        int bill = gen_below(&r, 10) < 3;
        int64_t to = bill ? gen_pop_biller(&s->pop, &r) : gen_pop_shop(&s->pop, &r);
        int ch = bill ? IX_CHANNEL_ONLINE : IX_CHANNEL_MOBILE;
        if (schedule(s, spend_time(&r, sa->time_ms), sa->person, to, budget * w[k] / sum,
                     SCN_BG_SPEND, ch) != 0)
            return -1;
    }
    return 0;
}

/* ---- spontaneous transfers -------------------------------------------- */

static int pick_channel(gen *r, const int *permille, const int *channels, int n)
{
    int64_t u = gen_below(r, 1000);
    for (int k = 0; k < n - 1; k++) {
        if (u < permille[k])
            return channels[k];
        u -= permille[k];
    }
    return channels[n - 1];
}

static void shop(const scn *s, gen *r, scn_bg *b)
{
    static const int share[] = {450, 450, 100};
    static const int ch[] = {IX_CHANNEL_POS, IX_CHANNEL_MOBILE, IX_CHANNEL_ONLINE};
    b->kind = SCN_BG_SHOP;
    b->from = gen_pop_any(&s->pop, r, GEN_PERSON);
    b->to = gen_pop_shop(&s->pop, r);
    b->amount = gen_lognormal(r, 6000, 1.1, 100, 5000000);
    b->channel = (uint8_t)pick_channel(r, share, ch, 3);
}

static void bill(const scn *s, gen *r, scn_bg *b)
{
    b->kind = SCN_BG_BILL;
    b->from = gen_pop_any(&s->pop, r, GEN_PERSON);
    b->to = gen_pop_biller(&s->pop, r);
    b->amount = gen_lognormal(r, 15000, 0.7, 1000, 2000000);
    b->channel = (uint8_t)(gen_below(r, 2) ? IX_CHANNEL_ONLINE : IX_CHANNEL_MOBILE);
}

static void peer(const scn *s, gen *r, scn_bg *b)
{
    static const int share[] = {850, 100, 30, 20};
    static const int ch[] = {IX_CHANNEL_MOBILE, IX_CHANNEL_ONLINE, IX_CHANNEL_ATM,
                             IX_CHANNEL_BRANCH};
    int64_t from = gen_pop_any(&s->pop, r, GEN_PERSON);
    int n = gen_pop_friend_count(&s->pop, from);
    int64_t to = n ? gen_pop_friend(&s->pop, from, (int)gen_below(r, n)) : -1;
    if (to < 0 || gen_pop_dormant(&s->pop, to)) {
        shop(s, r, b); /* a dormant friend stays silent */
        return;
    }
    b->kind = SCN_BG_PEER;
    b->from = from;
    b->to = to;
    b->amount = gen_lognormal(r, 20000, 1.0, 100, 2000000);
    if (gen_below(r, 2) && b->amount >= 1000)
        b->amount -= b->amount % 1000; /* friends send round sums */
    b->channel = (uint8_t)pick_channel(r, share, ch, 4);
}

static void trade(const scn *s, gen *r, scn_bg *b)
{
    int64_t suppliers[SUPPLIERS_MAX];
    gen_class c = gen_below(r, 10) < 7 ? GEN_BUSINESS : GEN_MERCHANT;
    int64_t from = gen_pop_any(&s->pop, r, c);
    int n = gen_pop_suppliers(&s->pop, from, suppliers, SUPPLIERS_MAX);
    if (n == 0) {
        shop(s, r, b);
        return;
    }
    b->kind = SCN_BG_TRADE;
    b->from = from;
    b->to = suppliers[gen_below(r, n)];
    b->amount = gen_lognormal(r, 2000000, 1.2, 10000, 500000000);
    b->channel = (uint8_t)(gen_below(r, 100) < 85 ? IX_CHANNEL_ONLINE : IX_CHANNEL_BRANCH);
}

/* One spontaneous transfer at a uniform time in [t0, t1): shopping 55%,
 * bills 7%, peers 27%, trade 11%. */
static void spontaneous(const scn *s, gen *r, int64_t t0, int64_t t1, scn_bg *b)
{
    int64_t u = gen_below(r, 1000);
    b->time_ms = t0 + gen_below(r, t1 - t0);
    if (u < 550)
        shop(s, r, b);
    else if (u < 620)
        bill(s, r, b);
    else if (u < 890)
        peer(s, r, b);
    else
        trade(s, r, b);
}

/* ---- building a slice ------------------------------------------------- */

static scn_bg *slice_add(scn *s)
{
    scn_bg *b = vec_push(&s->slice, sizeof(*b));
    if (b)
        b->tie = (uint64_t)(s->slice.n - 1);
    return b;
}

/* Salaries paid before t1 join the slice; their spending is scheduled. */
static int take_salaries(scn *s, int64_t t1)
{
    while (s->salary_next < s->salaries.n) {
        const scn_salary *sa = (const scn_salary *)s->salaries.p + s->salary_next;
        if (sa->time_ms >= t1)
            break;
        scn_bg *b = slice_add(s);
        if (!b || schedule_spending(s, sa, s->salary_next) != 0)
            return -1;
        b->time_ms = sa->time_ms;
        b->from = sa->employer;
        b->to = sa->person;
        b->amount = sa->amount;
        b->kind = SCN_BG_SALARY;
        b->channel = IX_CHANNEL_ONLINE;
        s->salary_next++;
    }
    return 0;
}

/* Spending due before t1, up to the quota; returns how many were taken. */
static int64_t take_spending(scn *s, int64_t t1, int64_t quota)
{
    int64_t taken = 0;
    while (s->heap.n > 0 && ((scn_bg *)s->heap.p)->time_ms < t1) {
        scn_bg due = heap_pop(s);
        if (taken == quota) {
            s->st.spend_dropped++;
            continue;
        }
        scn_bg *b = slice_add(s);
        uint64_t tie = b->tie;
        *b = due;
        b->tie = tie;
        taken++;
    }
    return taken;
}

/* Sort the slice by time: a stable LSD radix sort of the offsets from t0,
 * 11 bits a pass. The slice is built in creation order (tie), so equal
 * times keep it, exactly the (time, tie) order without comparisons. */
static int sort_slice(scn *s, int64_t t0)
{
    enum { BITS = 11, RADIX = 1 << BITS };
    int64_t n = s->slice.n, span = 0;
    scn_bg *a = s->slice.p;
    if (n < 2)
        return 0;
    if (s->slice_tmp.cap < n) {
        void *p = realloc(s->slice_tmp.p, (size_t)n * sizeof(scn_bg));
        if (!p)
            return -1;
        s->slice_tmp.p = p;
        s->slice_tmp.cap = n;
    }
    scn_bg *b = s->slice_tmp.p;
    for (int64_t k = 0; k < n; k++)
        span = a[k].time_ms - t0 > span ? a[k].time_ms - t0 : span;
    for (int shift = 0; shift == 0 || (span >> shift) > 0; shift += BITS) {
        int64_t count[RADIX + 1] = {0};
        for (int64_t k = 0; k < n; k++)
            count[((a[k].time_ms - t0) >> shift & (RADIX - 1)) + 1]++;
        for (int d = 0; d < RADIX; d++)
            count[d + 1] += count[d];
        for (int64_t k = 0; k < n; k++)
            b[count[(a[k].time_ms - t0) >> shift & (RADIX - 1)]++] = a[k];
        scn_bg *t = a;
        a = b;
        b = t;
    }
    if (a != s->slice.p) { /* an odd number of passes: the buffers swap roles */
        vec v = s->slice;
        s->slice = s->slice_tmp;
        s->slice_tmp = v;
        s->slice.n = n;
    }
    return 0;
}

int scn_bg_next_slice(scn *s, char *errstr, size_t errstr_size)
{
    int64_t j = s->slice_next++;
    int64_t t0 = s->start_ms + j * s->slice_len;
    int64_t t1 = j + 1 == s->nslices ? s->end_ms : t0 + s->slice_len;
    int64_t quota = slice_quota(s, j);
    s->slice.n = 0;
    s->slice_pos = 0;
    /* Reserve the whole slice up front: take_spending() writes through
     * pointers that a reallocation would invalidate. */
    int64_t need = quota;
    for (int64_t k = s->salary_next; k < s->salaries.n; k++, need++)
        if (((const scn_salary *)s->salaries.p)[k].time_ms >= t1)
            break;
    if (need > s->slice.cap) {
        void *p = realloc(s->slice.p, (size_t)need * sizeof(scn_bg));
        if (!p)
            goto oom;
        s->slice.p = p;
        s->slice.cap = need;
    }
    if (take_salaries(s, t1) != 0)
        goto oom;
    gen r;
    gen_fork(&r, &s->root, SCN_STREAM_SLICE + (uint64_t)j);
    for (int64_t k = take_spending(s, t1, quota); k < quota; k++)
        spontaneous(s, &r, t0, t1, slice_add(s));
    if (sort_slice(s, t0) != 0)
        goto oom;
    return 0;
oom:
    snprintf(errstr, errstr_size, "out of memory generating the background");
    return -1;
}
