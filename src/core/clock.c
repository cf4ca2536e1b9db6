#include "core/clock.h"

#include <stdio.h>
#include <time.h>

static int64_t clock_read(clockid_t id)
{
    struct timespec ts;
    /* Cannot fail for these clock ids on Linux; 0 is a visible, harmless fallback. */
    if (clock_gettime(id, &ts) != 0)
        return 0;
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t clock_real_now(struct sb_clock *c)
{
    return clock_read(CLOCK_REALTIME);
}

static int64_t clock_real_mono(struct sb_clock *c)
{
    return clock_read(CLOCK_MONOTONIC);
}

static struct sb_clock clock_real_instance = {
    .now_ms = clock_real_now,
    .mono_ms = clock_real_mono,
};

struct sb_clock *clock_real(void)
{
    return &clock_real_instance;
}

static int64_t clock_virt_read(struct sb_clock *c)
{
    return atomic_load(&c->virt_ms);
}

void clock_virtual_init(struct sb_clock *c, int64_t start_ms)
{
    c->now_ms = clock_virt_read;
    c->mono_ms = clock_virt_read;
    atomic_init(&c->virt_ms, start_ms);
}

void clock_virtual_advance(struct sb_clock *c, int64_t delta_ms)
{
    /* Monotonic time must never run backwards; a negative step is a caller bug, ignore it. */
    if (delta_ms <= 0)
        return;
    atomic_fetch_add(&c->virt_ms, delta_ms);
}

void clock_virtual_set(struct sb_clock *c, int64_t ms)
{
    atomic_store(&c->virt_ms, ms);
}

char *clock_iso8601(int64_t ms, char out[32])
{
    /* Floor division so instants before 1970 still get a 0..999 millisecond field. */
    int64_t secs = ms / 1000;
    int64_t frac = ms % 1000;
    if (frac < 0) {
        frac += 1000;
        secs -= 1;
    }
    time_t t = (time_t)secs;
    struct tm tm;
    /* Room for ".mmmZ" and the NUL after the seconds; any int year fits in the rest. %4Y (glibc)
     * pads years before 1000 to the four digits ISO-8601 wants. */
    size_t n = 0;
    if (gmtime_r(&t, &tm))
        n = strftime(out, 32 - 5, "%4Y-%m-%dT%H:%M:%S", &tm);
    if (n == 0) {
        /* Year beyond int: well-formed, and obviously not a real instant. */
        snprintf(out, 32, "%s", "0000-01-01T00:00:00.000Z");
        return out;
    }
    out[n] = '.';
    out[n + 1] = (char)('0' + frac / 100);
    out[n + 2] = (char)('0' + frac / 10 % 10);
    out[n + 3] = (char)('0' + frac % 10);
    out[n + 4] = 'Z';
    out[n + 5] = 0;
    return out;
}

static int64_t offset_now_ms(struct sb_clock *c)
{
    return clock_now_ms(clock_real()) + atomic_load(&c->virt_ms);
}

static int64_t offset_mono_ms(struct sb_clock *c)
{
    return clock_mono_ms(clock_real()) + atomic_load(&c->virt_ms);
}

void clock_offset_init(struct sb_clock *c)
{
    c->now_ms = offset_now_ms;
    c->mono_ms = offset_mono_ms;
    atomic_store(&c->virt_ms, 0);
}

void clock_offset_advance(struct sb_clock *c, int64_t delta_ms)
{
    if (delta_ms > 0)
        atomic_fetch_add(&c->virt_ms, delta_ms);
}
