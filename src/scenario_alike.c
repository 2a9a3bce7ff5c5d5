/* scenario_alike.c - the realistic profile's legitimate look-alikes.
 *
 * Everyday money flows that have the shape of a laundering typology: an
 * employer's payroll and a buyer's suppliers (fan-out), a landlord's tenants
 * and a street vendor's customers (fan-in), a payment processor settling to
 * its merchants and a house sale through escrow (pass-through and a chain),
 * family money going round and a loan repaid (cycle), friends paying back
 * their share of a bill, relatives pooling a deposit in sums just under the
 * reporting threshold (structuring), roommates paying the lead tenant, a
 * days-old business and a new account living on its first salary (new
 * account), friends settling up among themselves (bipartite), a person who
 * pays the same few friends again and again, and a dormant account back in
 * use. Nobody in them is to be frozen: every account has "flag": false, and
 * a screener's request on one is a false alarm the benchmark counts.
 *
 * Like the attempts, look-alikes are small and slow, take accounts no other
 * instance has (ordinary persons, businesses and merchants of the
 * background, with their everyday lives), and carry a size class by degree;
 * their timing is that of the flow they imitate, not a drawn speed.
 */
#include <stdlib.h>

#include "scenario_int.h"

#define DEGREE_MAX 15

static int64_t person(scn_plan *pl, const char *role)
{
    return scn_rl_recruit(pl, GEN_PERSON, role, 0);
}

static int64_t business(scn_plan *pl, const char *role)
{
    return scn_rl_recruit(pl, GEN_BUSINESS, role, 0);
}

static int64_t merchant(scn_plan *pl, const char *role)
{
    return scn_rl_recruit(pl, GEN_MERCHANT, role, 0);
}

/* A window of `span` in the timeline; its start, *end its end. */
static int64_t window(scn_plan *pl, int64_t span, int64_t *end)
{
    int64_t t0 = scn_rl_window(pl, &span);
    *end = t0 + span;
    return t0;
}

/* A local time of day (ms after local midnight, in [lo, hi]) on a random
 * day whose run of `len` fits in the timeline. */
static int64_t day_at(scn_plan *pl, int64_t lo, int64_t hi, int64_t len)
{
    int64_t span = 0, t = scn_rl_window(pl, &span);
    int64_t midnight = (t + SCN_LOCAL_OFFSET_MS) / SCN_DAY_MS * SCN_DAY_MS - SCN_LOCAL_OFFSET_MS;
    t = midnight + gen_range(&pl->r, lo, hi);
    if (t < pl->s->start_ms + SCN_MARGIN_MS)
        t += SCN_DAY_MS;
    if (t + len > pl->s->end_ms - SCN_MARGIN_MS)
        t -= SCN_DAY_MS;
    return t;
}

/* Every value drawn goes into a variable of its own before a call takes
 * it: the order in which a call's arguments are evaluated is unspecified,
 * and the stream must not depend on the compiler. */

/* Whether t lies in the timeline, margins kept. */
static int inside(const scn_plan *pl, int64_t t)
{
    return t >= pl->s->start_ms + SCN_MARGIN_MS && t <= pl->s->end_ms - SCN_MARGIN_MS;
}

/* A business payment: online, a few at the branch. */
static int64_t pay(scn_plan *pl, int64_t from, int64_t to, int64_t amount, int64_t t)
{
    int ch = gen_below(&pl->r, 100) < 85 ? IX_CHANNEL_ONLINE : IX_CHANNEL_BRANCH;
    return scn_pl_tx(pl, from, to, amount, t, ch);
}

/* A salary as the population's: log-normal, whole yuan. */
static int64_t salary(scn_plan *pl, int64_t median)
{
    return gen_lognormal(&pl->r, median, 0.45, 200000, 6000000) / 100 * 100;
}

/* ---- fan-out look-alikes -------------------------------------------------- */

/* Degree: the employees. A payroll run after midnight, one employee a few
 * seconds after the other; some employers pay again a week or two later. */
static void alike_payroll(scn_plan *pl)
{
    int d = scn_rl_degree(pl, 2, DEGREE_MAX);
    int64_t again = gen_below(&pl->r, 10) < 3 ? gen_range(&pl->r, 1, 2) * 7 * SCN_DAY_MS : 0;
    int64_t t = day_at(pl, 0, 9 * SCN_HOUR_MS, again + 30 * SCN_MIN_MS);
    int64_t employer = business(pl, "employer"), staff[DEGREE_MAX], pay_of[DEGREE_MAX];
    for (int k = 0; k < d; k++) {
        staff[k] = person(pl, "employee");
        pay_of[k] = salary(pl, 650000);
    }
    for (int run = 0; run < (again ? 2 : 1); run++) {
        int64_t at = t + run * again;
        if (!inside(pl, at + d * 60000))
            break;
        for (int k = 0; k < d; k++, at += gen_range(&pl->r, 1000, 60000))
            scn_pl_tx(pl, employer, staff[k], pay_of[k], at, IX_CHANNEL_ONLINE);
    }
}

/* Degree: the suppliers paid in one round of invoices, over hours to days. */
static void alike_suppliers(scn_plan *pl)
{
    int d = scn_rl_degree(pl, 2, DEGREE_MAX);
    int64_t t[DEGREE_MAX], end;
    int64_t t0 = window(pl, scn_pl_amount(&pl->r, 2 * SCN_HOUR_MS, 3 * SCN_DAY_MS), &end);
    int64_t buyer = business(pl, "buyer");
    scn_rl_times(pl, t0, end, d, t);
    for (int k = 0; k < d; k++) {
        int64_t supplier = business(pl, "supplier");
        pay(pl, buyer, supplier, gen_lognormal(&pl->r, 2000000, 1.0, 50000, 50000000), t[k]);
    }
}

/* Degree: the friends. On two to four occasions a week apart, a person
 * sends each of the same few friends or relatives a sum within minutes
 * (red envelopes, an allowance, a share of the bill). */
static void alike_regular_friends(scn_plan *pl)
{
    static const int64_t sums[] = {8800, 16800, 18800, 20000, 50000, 52000, 88800, 100000};
    int d = scn_rl_degree(pl, 2, 8), times = (int)gen_range(&pl->r, 2, 4);
    int64_t t = day_at(pl, 8 * SCN_HOUR_MS, 22 * SCN_HOUR_MS, (times - 1) * 8 * SCN_DAY_MS);
    int64_t payer = person(pl, "payer"), friends[8];
    for (int k = 0; k < d; k++)
        friends[k] = person(pl, "friend");
    for (int n = 0; n < times;
         n++, t += 7 * SCN_DAY_MS + gen_range(&pl->r, -SCN_DAY_MS, SCN_DAY_MS)) {
        int64_t sum = sums[gen_below(&pl->r, 8)], at = t;
        for (int k = 0; k < d && inside(pl, at); k++, at += gen_range(&pl->r, 5000, 600000))
            scn_pl_tx(pl, payer, friends[k], sum, at, IX_CHANNEL_MOBILE);
    }
}

/* ---- fan-in look-alikes --------------------------------------------------- */

/* Degree: the tenants, paying the rent within days; most landlords pay a
 * mortgage out of it a few days later. */
static void alike_landlord(scn_plan *pl)
{
    int d = scn_rl_degree(pl, 2, 12);
    int64_t t[DEGREE_MAX], end, total = 0;
    int64_t t0 = window(pl, gen_range(&pl->r, SCN_DAY_MS, 5 * SCN_DAY_MS) + 7 * SCN_DAY_MS, &end);
    int64_t landlord = person(pl, "landlord");
    scn_rl_times(pl, t0, end - 7 * SCN_DAY_MS, d, t);
    for (int k = 0; k < d; k++) {
        int64_t rent = gen_range(&pl->r, 15, 80) * 10000; /* 1,500 to 8,000 CNY */
        scn_rl_tx(pl, person(pl, "tenant"), landlord, rent, t[k]);
        total += rent;
    }
    if (gen_below(&pl->r, 10) < 6) {
        int64_t bank = business(pl, "bank"), v = scn_pl_share(&pl->r, total, 500, 950);
        pay(pl, landlord, bank, v, scn_rl_when(pl, t[d - 1] + SCN_DAY_MS, end));
    }
}

/* Degree: the customers paying a vendor's personal collection code small
 * sums over days; the vendor pays a wholesaler out of the takings. */
static void alike_vendor(scn_plan *pl)
{
    int d = scn_rl_degree(pl, 2, DEGREE_MAX);
    int64_t t[DEGREE_MAX], end, total = 0;
    int64_t t0 = window(pl, gen_range(&pl->r, SCN_DAY_MS, 10 * SCN_DAY_MS), &end);
    int64_t vendor = person(pl, "vendor");
    scn_rl_times(pl, t0, end, d, t);
    for (int k = 0; k < d; k++) {
        int64_t v = gen_lognormal(&pl->r, 3000, 0.9, 500, 50000), c = person(pl, "customer");
        scn_pl_tx(pl, c, vendor, v, t[k],
                  gen_below(&pl->r, 2) ? IX_CHANNEL_POS : IX_CHANNEL_MOBILE);
        total += v;
    }
    int64_t wholesaler = business(pl, "wholesaler"), v = scn_pl_share(&pl->r, total, 600, 900);
    pay(pl, vendor, wholesaler, v,
        scn_rl_when(pl, t[d - 1], t[d - 1] + SCN_DAY_MS < end ? t[d - 1] + SCN_DAY_MS : end));
}

/* Degree: the friends paying back their equal share of a bill the
 * organiser paid, within hours to days. */
static void alike_bill_split(scn_plan *pl)
{
    int d = scn_rl_degree(pl, 2, 10);
    int64_t t[DEGREE_MAX], end;
    int64_t t0 = window(pl, scn_pl_amount(&pl->r, SCN_HOUR_MS, 3 * SCN_DAY_MS), &end);
    int64_t organiser = person(pl, "organiser");
    int64_t bill = gen_lognormal(&pl->r, 80000, 1.0, 10000, 2000000);
    int64_t each = bill / (d + 1) / 100 * 100 + 100;
    scn_pl_tx(pl, organiser, merchant(pl, "merchant"), bill, t0, IX_CHANNEL_POS);
    scn_rl_times(pl, t0 + 10 * SCN_MIN_MS, end, d, t);
    for (int k = 0; k < d; k++)
        scn_pl_tx(pl, person(pl, "friend"), organiser, each, t[k], IX_CHANNEL_MOBILE);
}

/* ---- pass-through look-alikes --------------------------------------------- */

/* Degree: the payers and the merchants of one settlement cycle: payments
 * in for minutes to hours, 97-99.5% settled out within two hours. */
static void alike_processor(scn_plan *pl)
{
    int d = scn_rl_degree(pl, 3, DEGREE_MAX), nm = d > 6 ? 2 : 1, np = d - nm;
    int64_t t[DEGREE_MAX], end, total = 0;
    int64_t t0 =
        window(pl, scn_pl_amount(&pl->r, 10 * SCN_MIN_MS, 6 * SCN_HOUR_MS) + 2 * SCN_HOUR_MS, &end);
    int64_t proc = business(pl, "processor");
    scn_rl_times(pl, t0, end - 2 * SCN_HOUR_MS, np, t);
    for (int k = 0; k < np; k++) {
        int64_t v = gen_lognormal(&pl->r, 30000, 1.0, 1000, 2000000);
        scn_pl_tx(pl, person(pl, "payer"), proc, v, t[k], IX_CHANNEL_ONLINE);
        total += v;
    }
    int64_t parts[2], settle = scn_pl_share(&pl->r, total, 970, 995);
    scn_pl_split(&pl->r, settle, nm, parts);
    for (int k = 0; k < nm; k++) {
        int64_t m = merchant(pl, "merchant");
        pay(pl, proc, m, parts[k], t[np - 1] + gen_range(&pl->r, 5 * SCN_MIN_MS, 2 * SCN_HOUR_MS));
    }
}

/* Degree: the escrow account's counterparties (buyer, seller, sometimes the
 * agent). The seller pays off a mortgage out of it half the time: a chain
 * of three near-whole hops. */
static void alike_escrow(scn_plan *pl)
{
    int agent = gen_below(&pl->r, 10) < 4;
    pl->degree = 2 + agent;
    int64_t end, t0 = window(pl, 14 * SCN_DAY_MS, &end);
    int64_t buyer = person(pl, "buyer"), escrow = business(pl, "escrow");
    int64_t seller = person(pl, "seller");
    int64_t price = scn_rl_round(pl, scn_pl_amount(&pl->r, 10000000, 200000000));
    pay(pl, buyer, escrow, price, t0);
    int64_t t1 = scn_rl_when(pl, t0 + SCN_DAY_MS, t0 + 10 * SCN_DAY_MS);
    int64_t fee = agent ? price * gen_range(&pl->r, 10, 20) / 1000 : 0;
    if (agent)
        pay(pl, escrow, person(pl, "agent"), fee, t1);
    pay(pl, escrow, seller, price - fee, t1);
    if (gen_below(&pl->r, 2)) {
        int64_t bank = business(pl, "bank"), v = scn_pl_share(&pl->r, price - fee, 600, 950);
        pay(pl, seller, bank, v, scn_rl_when(pl, t1 + SCN_HOUR_MS, t1 + 3 * SCN_DAY_MS));
    }
}

/* ---- other look-alikes ----------------------------------------------------- */

/* Degree: the relatives. Two: a loan and its repayment, to the yuan or with
 * a little interest. More: money going round the family over days. */
static void alike_family_cycle(scn_plan *pl)
{
    int d = scn_rl_degree(pl, 2, 6);
    int64_t fam[6], t[6], end;
    int64_t t0 = window(pl, gen_range(&pl->r, 2 * SCN_DAY_MS, 20 * SCN_DAY_MS), &end);
    int64_t v = scn_rl_round(pl, scn_pl_amount(&pl->r, 100000, 5000000));
    for (int k = 0; k < d; k++)
        fam[k] = person(pl, "relative");
    scn_rl_times(pl, t0, end, d, t);
    for (int k = 0; k < d; k++) {
        if (k && d == 2)
            v += gen_below(&pl->r, 2) ? 0 : v * gen_range(&pl->r, 1, 20) / 1000;
        else if (k)
            v = gen_below(&pl->r, 10) < 3 ? v
                                          : scn_rl_round(pl, scn_pl_share(&pl->r, v, 300, 1000));
        scn_rl_tx(pl, fam[k], fam[(k + 1) % d], v, t[k]);
    }
}

/* Degree: the relatives each sending the buyer sums just under the
 * reporting threshold, some twice, over up to two weeks; the buyer then pays
 * the developer the deposit, savings added. */
static void alike_down_payment(scn_plan *pl)
{
    int d = scn_rl_degree(pl, 2, 8);
    int64_t thr = pl->s->o.threshold, lo = thr * 850 / 1000, hi = thr * 999 / 1000, end;
    int64_t t0 = window(pl, gen_range(&pl->r, SCN_DAY_MS, 14 * SCN_DAY_MS) + 5 * SCN_DAY_MS, &end);
    int64_t buyer = person(pl, "buyer"), total = 0, last = t0;
    for (int k = 0; k < d; k++) {
        int64_t rel = person(pl, "relative");
        for (int n = gen_below(&pl->r, 10) < 3 ? 2 : 1; n > 0; n--) {
            int64_t v = gen_range(&pl->r, lo, hi), at = scn_rl_when(pl, t0, end - 5 * SCN_DAY_MS);
            v = gen_below(&pl->r, 4) == 0 ? thr - 10000 : v - v % 100000;
            v = v < lo ? lo : v;
            at = k == 0 && n == 1 ? t0 : at; /* the first relative opens the instance */
            scn_rl_tx(pl, rel, buyer, v, at);
            total += v;
            last = at > last ? at : last;
        }
    }
    int64_t developer = business(pl, "developer"), v = total * gen_range(&pl->r, 1000, 2500) / 1000;
    pay(pl, buyer, developer, v, scn_rl_when(pl, last + SCN_HOUR_MS, last + 5 * SCN_DAY_MS));
}

/* Degree: the roommates and the landlord. The roommates pay the lead
 * tenant their equal share within days; the lead tenant pays the rent. */
static void alike_shared_rent(scn_plan *pl)
{
    int d = scn_rl_degree(pl, 2, 6), mates = d - 1;
    int64_t t[6], end;
    int64_t t0 = window(pl, gen_range(&pl->r, SCN_DAY_MS, 3 * SCN_DAY_MS) + 2 * SCN_DAY_MS, &end);
    int64_t lead = person(pl, "lead_tenant"), rent = gen_range(&pl->r, 30, 150) * 10000;
    scn_rl_times(pl, t0, end - 2 * SCN_DAY_MS, mates, t);
    for (int k = 0; k < mates; k++)
        scn_rl_tx(pl, person(pl, "roommate"), lead, rent / d, t[k]);
    int64_t landlord = person(pl, "landlord");
    scn_rl_tx(pl, lead, landlord, rent, scn_rl_when(pl, t[mates - 1], end));
}

/* Degree: the customers and suppliers of a business opened days before:
 * customers paying for days, a few suppliers paid out of it. */
static void alike_new_business(scn_plan *pl)
{
    int d = scn_rl_degree(pl, 2, DEGREE_MAX),
        ns = 1 + (int)gen_below(&pl->r, d - 1 < 3 ? d - 1 : 3);
    int nc = d - ns;
    int64_t t[DEGREE_MAX], end, total = 0;
    int64_t t0 = window(pl, gen_range(&pl->r, 3 * SCN_DAY_MS, 14 * SCN_DAY_MS), &end);
    int64_t biz = scn_rl_fresh(pl, "new_business", 0, t0,
                               gen_range(&pl->r, SCN_DAY_MS, 20 * SCN_DAY_MS), IX_HOLDER_BUSINESS);
    scn_rl_times(pl, t0, end, nc + ns, t);
    for (int k = 0; k < nc; k++) {
        int64_t v = gen_lognormal(&pl->r, 150000, 1.2, 20000, 5000000);
        scn_rl_tx(pl, person(pl, "customer"), biz, v, t[k]);
        total += v;
    }
    for (int k = 0; k < ns; k++) {
        int64_t supplier = business(pl, "supplier");
        pay(pl, biz, supplier, scn_pl_share(&pl->r, total / ns, 300, 900), t[nc + k]);
    }
}

/* Degree: the new account's counterparties: the employer paying its first
 * salary (a relocation allowance with it now and then), the merchants,
 * billers and landlord it is spent on over the next days. */
static void alike_new_salary(scn_plan *pl)
{
    int d = scn_rl_degree(pl, 2, 12), spend = d - 1;
    int64_t t[DEGREE_MAX], parts[DEGREE_MAX], end;
    int64_t t0 = window(pl, gen_range(&pl->r, SCN_DAY_MS, 10 * SCN_DAY_MS), &end);
    int64_t acct =
        scn_rl_fresh(pl, "new_account", 0, t0, gen_range(&pl->r, SCN_DAY_MS, 20 * SCN_DAY_MS), 0);
    int64_t employer = business(pl, "employer"), pay_in = salary(pl, 900000);
    scn_pl_tx(pl, employer, acct, pay_in, t0, IX_CHANNEL_ONLINE);
    if (gen_below(&pl->r, 10) < 3) {
        int64_t bonus = scn_rl_round(pl, scn_pl_amount(&pl->r, 2000000, 10000000));
        scn_pl_tx(pl, employer, acct, bonus, t0 + gen_range(&pl->r, 1000, 60000),
                  IX_CHANNEL_ONLINE);
        pay_in += bonus;
    }
    scn_pl_split(&pl->r, scn_pl_share(&pl->r, pay_in, 750, 950), spend, parts);
    scn_rl_times(pl, t0 + 2 * SCN_HOUR_MS, end, spend, t);
    for (int k = 0; k < spend; k++) {
        int rent = k == 0 && gen_below(&pl->r, 10) < 4;
        int64_t to = rent ? person(pl, "landlord") : merchant(pl, "merchant");
        scn_rl_tx(pl, acct, to, rent ? parts[k] / 10000 * 10000 + 10000 : parts[k], t[k]);
    }
}

/* Degree: the friends. Two to four evenings over weeks, those who lost
 * pay those who won: many pairs, in both directions. */
static void alike_friend_group(scn_plan *pl)
{
    int d = scn_rl_degree(pl, 3, 8), rounds = (int)gen_range(&pl->r, 2, 4);
    int64_t f[8];
    int64_t t = day_at(pl, 19 * SCN_HOUR_MS, 23 * SCN_HOUR_MS,
                       (rounds - 1) * 8 * SCN_DAY_MS + 6 * SCN_HOUR_MS);
    for (int k = 0; k < d; k++)
        f[k] = person(pl, "friend");
    for (int n = 0; n < rounds; n++, t += gen_range(&pl->r, 3, 8) * SCN_DAY_MS) {
        for (int p = (int)gen_range(&pl->r, 2, d); p > 0; p--) {
            int i = (int)gen_below(&pl->r, d), j = (int)gen_below(&pl->r, d - 1);
            j += j >= i;
            int64_t at = t + gen_range(&pl->r, 0, 6 * SCN_HOUR_MS);
            if (inside(pl, at))
                scn_pl_tx(pl, f[i], f[j],
                          gen_lognormal(&pl->r, 20000, 0.8, 1000, 300000) / 1000 * 1000 + 1000, at,
                          IX_CHANNEL_MOBILE);
        }
    }
}

/* Degree: the dormant account's counterparties: a relative's transfer in,
 * a hospital or school paid out of it within days (a second payee now and
 * then). */
static void alike_dormant_wakeup(scn_plan *pl)
{
    int two = gen_below(&pl->r, 10) < 3;
    pl->degree = 2 + two;
    int64_t end, t0 = window(pl, gen_range(&pl->r, SCN_HOUR_MS, 3 * SCN_DAY_MS), &end);
    int64_t acct = scn_rl_dormant(pl, "dormant_account", 0);
    int64_t v = scn_rl_round(pl, scn_pl_amount(&pl->r, 1000000, 15000000));
    scn_rl_tx(pl, person(pl, "relative"), acct, v, t0);
    int64_t out = scn_pl_share(&pl->r, v, 500, 1000), second = two ? out / 4 : 0;
    int64_t institution = business(pl, "institution");
    pay(pl, acct, institution, out - second, scn_rl_when(pl, t0 + SCN_MIN_MS, end));
    if (two)
        scn_rl_tx(pl, acct, person(pl, "payee"), second, end);
}

static const scn_planner planners[SCN_ALIKE__COUNT] = {
    [SCN_ALIKE_PAYROLL] = alike_payroll,
    [SCN_ALIKE_SUPPLIERS] = alike_suppliers,
    [SCN_ALIKE_LANDLORD] = alike_landlord,
    [SCN_ALIKE_VENDOR] = alike_vendor,
    [SCN_ALIKE_PROCESSOR] = alike_processor,
    [SCN_ALIKE_ESCROW] = alike_escrow,
    [SCN_ALIKE_FAMILY_CYCLE] = alike_family_cycle,
    [SCN_ALIKE_BILL_SPLIT] = alike_bill_split,
    [SCN_ALIKE_DOWN_PAYMENT] = alike_down_payment,
    [SCN_ALIKE_SHARED_RENT] = alike_shared_rent,
    [SCN_ALIKE_NEW_BUSINESS] = alike_new_business,
    [SCN_ALIKE_NEW_SALARY] = alike_new_salary,
    [SCN_ALIKE_FRIEND_GROUP] = alike_friend_group,
    [SCN_ALIKE_REGULAR_FRIENDS] = alike_regular_friends,
    [SCN_ALIKE_DORMANT_WAKEUP] = alike_dormant_wakeup,
};

scn_planner scn_alike_planner(scn_alike k)
{
    return planners[k];
}

int64_t scn_alike_reserve(scn_alike k)
{
    return k == SCN_ALIKE_NEW_BUSINESS || k == SCN_ALIKE_NEW_SALARY ? 1 : 0;
}
