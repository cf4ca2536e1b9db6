/* engine_bench.c — routing-decision cost of the ACD engine (src/routing/engine.h) with 100,
 * 1k, 10k and 100k agents in one queue, for each strategy (issue #5: "no worse than 2x from
 * 1k to 100k"). Not a test: it prints figures, it has no thresholds.
 *
 * Two decisions are timed, each call on its own (clock_gettime around the one engine call):
 *   enqueue->offer  eng_enqueue of a new interaction into a queue whose members are all
 *                   available; the call ends with the offer(s) made. Untimed: the interaction
 *                   is then abandoned (eng_dequeue) so every round starts from the same state.
 *   accept->next    every member holds an offer and more interactions wait; an agent accepts:
 *                   the call assigns, withdraws the others (beepall) and makes the next
 *                   offer(s). Untimed: the agent closes the interaction and a new one is
 *                   enqueued, so the queue stays in the same shape.
 * beepall offers to every available member, so its cost is O(agents) by definition; rrmemory
 * and leastrecent are the O(log n) cases the goal is about.
 *
 * Usage: engine_bench [--quick] [--only beepall|rrmemory|leastrecent] (build: cmake --build
 * --preset release --target engine_bench; or `make bench-engine`). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "routing/engine.h"

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void die(const char *what, int r)
{
    fprintf(stderr, "engine_bench: %s failed (%d)\n", what, r);
    exit(1);
}

#define CHECK(what, expr)                                                                          \
    do {                                                                                           \
        int r_ = (expr);                                                                           \
        if (r_)                                                                                    \
            die(what, r_);                                                                         \
    } while (0)

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

struct result {
    double mean, p50, p99;
};

static struct result summarize(int64_t *v, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += (double)v[i];
    qsort(v, n, sizeof *v, cmp_i64);
    return (struct result){sum / (double)n, (double)v[n / 2], (double)v[(n * 99) / 100]};
}

/* One queue (id 1, chat, agent timeout 1 h) with agents 1..n, all logged in, unlimited. */
static struct engine *setup(int strategy, int n, int64_t *t)
{
    struct eng_config cfg = {.max_tabs = 1000};
    struct engine *e = eng_new(&cfg);
    if (!e)
        die("eng_new", -1);
    struct eng_queue_spec q = {1, ENG_CH_CHAT, strategy, 3600, 0};
    CHECK("queue", eng_queue_upsert(e, &q, *t));
    int64_t *ids = malloc((size_t)n * sizeof *ids);
    if (!ids)
        die("malloc", -1);
    for (int i = 0; i < n; i++) {
        struct eng_agent_spec a = {.id = i + 1};
        CHECK("agent", eng_agent_upsert(e, &a, *t));
        CHECK("login", eng_agent_login(e, i + 1, ENG_CH_CHAT, *t));
        ids[i] = i + 1;
    }
    CHECK("members", eng_queue_set_members(e, 1, ids, (size_t)n, *t));
    free(ids);
    eng_events_clear(e);
    return e;
}

static struct result bench_enqueue(int strategy, int n, int reps)
{
    int64_t t = 1;
    struct engine *e = setup(strategy, n, &t);
    int64_t *v = malloc((size_t)reps * sizeof *v);
    if (!v)
        die("malloc", -1);
    for (int i = 0; i < reps; i++) {
        t++;
        int64_t t0 = now_ns();
        int r = eng_enqueue(e, 1000 + i, 1, t);
        v[i] = now_ns() - t0;
        if (r)
            die("enqueue", r);
        size_t nev;
        eng_events(e, &nev);
        if (nev < 2) /* JOINED + at least one OFFERED */
            die("no offer made", (int)nev);
        eng_events_clear(e);
        CHECK("dequeue", eng_dequeue(e, 1000 + i, ENG_LEFT_ABANDONED, t));
        eng_events_clear(e);
    }
    struct result res = summarize(v, (size_t)reps);
    free(v);
    eng_free(e);
    return res;
}

/* The agent holding the offer of each interaction (rrmemory/leastrecent: one) or the first
 * offered (beepall), from the events of the last call. */
static int64_t *holder;
static int64_t holder_cap;

static void note_offers(struct engine *e)
{
    size_t nev;
    const struct eng_event *ev = eng_events(e, &nev);
    for (size_t i = 0; i < nev; i++) {
        if (ev[i].type != ENG_EV_OFFERED || ev[i].interaction >= holder_cap)
            continue;
        if (!holder[ev[i].interaction])
            holder[ev[i].interaction] = ev[i].agent;
    }
    eng_events_clear(e);
}

static struct result bench_accept(int strategy, int n, int reps)
{
    int64_t t = 1;
    struct engine *e = setup(strategy, n, &t);
    /* Interaction ids 1..: n get an offer each (beepall: the first gets n), a few more wait. */
    int64_t waiting = strategy == ENG_BEEPALL ? 4 : (int64_t)n + 4;
    holder_cap = waiting + reps + 8;
    holder = calloc((size_t)holder_cap, sizeof *holder);
    int64_t *v = malloc((size_t)reps * sizeof *v);
    if (!holder || !v)
        die("malloc", -1);
    int64_t next_ix = 1;
    for (; next_ix <= waiting; next_ix++) {
        CHECK("enqueue", eng_enqueue(e, next_ix, 1, t));
        note_offers(e);
    }
    int64_t cursor = 1; /* the oldest interaction with an offer out */
    for (int i = 0; i < reps; i++) {
        t++;
        int64_t ix = cursor++;
        int64_t agent = holder[ix];
        if (!agent)
            die("no holder", (int)ix);
        int64_t t0 = now_ns();
        int r = (int)eng_accept(e, agent, ix, t);
        v[i] = now_ns() - t0;
        if (r != ENG_ACCEPT_OK)
            die("accept", r);
        size_t nev;
        eng_events(e, &nev);
        if (nev < 3) /* LEFT, ASSIGNED and the next OFFERED at least */
            die("no next offer", (int)nev);
        note_offers(e);
        CHECK("close", eng_close(e, agent, ix, t));
        note_offers(e);
        CHECK("enqueue", eng_enqueue(e, next_ix++, 1, t));
        note_offers(e);
    }
    struct result res = summarize(v, (size_t)reps);
    free(v);
    free(holder);
    holder = NULL;
    eng_free(e);
    return res;
}

static void machine(void)
{
    char model[256] = "unknown";
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f) {
        char line[512];
        while (fgets(line, sizeof line, f)) {
            if (strncmp(line, "model name", 10) == 0) {
                char *c = strchr(line, ':');
                if (c) {
                    c++;
                    while (*c == ' ' || *c == '\t')
                        c++;
                    snprintf(model, sizeof model, "%s", c);
                    model[strcspn(model, "\n")] = '\0';
                }
                break;
            }
        }
        fclose(f);
    }
    long cores = 0;
    FILE *p = popen("nproc", "r");
    if (p) {
        if (fscanf(p, "%ld", &cores) != 1)
            cores = 0;
        pclose(p);
    }
    printf("== Switchboard routing engine benchmark ==\n");
    printf("cpu:   %s\n", model);
    printf("nproc: %ld\n", cores);
}

int main(int argc, char **argv)
{
    bool quick = false;
    int only = -1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) {
            quick = true;
        } else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
            only = eng_strategy_parse(argv[++i]);
            if (only < 0)
                die("--only (beepall, rrmemory or leastrecent)", -1);
        } else {
            fprintf(stderr, "usage: engine_bench [--quick] [--only STRATEGY]\n");
            return 2;
        }
    }
    static const int sizes[] = {100, 1000, 10000, 100000};
    static const char *const names[] = {"beepall", "rrmemory", "leastrecent"};
    machine();
    printf("ns per routing decision (one engine call, mean / p50 / p99), one queue\n\n");
    printf("%-12s %-15s %8s %10s %10s %10s\n", "strategy", "decision", "agents", "mean", "p50",
           "p99");
    for (int s = 0; s < 3; s++) {
        if (only >= 0 && s != only)
            continue;
        struct result enq[4], acc[4];
        for (int k = 0; k < 4; k++) {
            int n = sizes[k];
            /* beepall makes n offers per decision: fewer repetitions at large n. */
            int reps = s == ENG_BEEPALL ? (n >= 10000 ? 20 : 200) : 20000;
            if (quick)
                reps = reps / 10 > 5 ? reps / 10 : 5;
            enq[k] = bench_enqueue(s, n, reps);
            printf("%-12s %-15s %8d %10.0f %10.0f %10.0f\n", names[s], "enqueue->offer", n,
                   enq[k].mean, enq[k].p50, enq[k].p99);
            fflush(stdout);
            acc[k] = bench_accept(s, n, reps);
            printf("%-12s %-15s %8d %10.0f %10.0f %10.0f\n", names[s], "accept->next", n,
                   acc[k].mean, acc[k].p50, acc[k].p99);
            fflush(stdout);
        }
        printf("%-12s ratio 100k/1k (mean): enqueue->offer %.2f, accept->next %.2f%s\n\n", names[s],
               enq[3].mean / enq[1].mean, acc[3].mean / acc[1].mean,
               s == ENG_BEEPALL ? "  (O(agents) by definition)" : "");
    }
    return 0;
}
