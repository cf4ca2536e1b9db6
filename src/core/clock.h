/* clock.h — the time source interface. Code that makes decisions from time (the router,
 * lockout, expiry) reads time only through a struct sb_clock so tests can drive a virtual one.
 *
 * The real clock is thread-safe. A virtual clock is safe to read from any thread while one
 * thread advances it (the value is atomic). */
#ifndef SB_CORE_CLOCK_H
#define SB_CORE_CLOCK_H

#include <stdatomic.h>
#include <stdint.h>

struct sb_clock {
    /* Wall-clock UTC milliseconds since the Unix epoch. */
    int64_t (*now_ms)(struct sb_clock *c);
    /* Monotonic milliseconds (arbitrary origin); for timeouts and latency. */
    int64_t (*mono_ms)(struct sb_clock *c);
    _Atomic int64_t virt_ms; /* only used by the virtual clock */
};

/* The process-wide real clock. Never NULL. */
struct sb_clock *clock_real(void);

/* Initializes a virtual clock whose wall and monotonic time both start at `start_ms` and move
 * only through clock_virtual_advance/set. */
void clock_virtual_init(struct sb_clock *c, int64_t start_ms);

/* Moves a virtual clock forward by `delta_ms` (>= 0). */
void clock_virtual_advance(struct sb_clock *c, int64_t delta_ms);

/* Sets a virtual clock to `ms`. */
void clock_virtual_set(struct sb_clock *c, int64_t ms);

/* Initializes an offset clock: real time plus an offset that only tests move (through the
 * server's test hooks), so a running server can be sent minutes ahead without sleeping. */
void clock_offset_init(struct sb_clock *c);

/* Moves an offset clock forward by `delta_ms` (>= 0). Any thread. */
void clock_offset_advance(struct sb_clock *c, int64_t delta_ms);

/* Convenience readers. */
static inline int64_t clock_now_ms(struct sb_clock *c)
{
    return c->now_ms(c);
}
static inline int64_t clock_mono_ms(struct sb_clock *c)
{
    return c->mono_ms(c);
}

/* Formats UTC milliseconds as ISO-8601 "2026-11-22T03:11:33.123Z" into out (>= 25 bytes).
 * Returns out. */
char *clock_iso8601(int64_t ms, char out[32]);

#endif
