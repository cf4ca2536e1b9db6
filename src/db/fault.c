/* fault.c — global, lock-free fault injection switch for the storage layer. */
#include "db/fault.h"

#include <stdatomic.h>
#include <string.h>

static _Atomic int fault_kind = DB_FAULT_NONE;
/* Remaining faults; negative means "until cleared". */
static _Atomic int fault_left = 0;

void db_fault_set(enum db_fault_kind kind, int count)
{
    /* Disarm first so a concurrent taker never pairs the new count with the old kind. */
    atomic_store(&fault_left, 0);
    atomic_store(&fault_kind, (int)kind);
    atomic_store(&fault_left, kind == DB_FAULT_NONE ? 0 : count);
}

void db_fault_clear(void)
{
    atomic_store(&fault_left, 0);
    atomic_store(&fault_kind, DB_FAULT_NONE);
}

enum db_fault_kind db_fault_parse(const char *s)
{
    if (!s)
        return DB_FAULT_NONE;
    if (strcmp(s, "busy") == 0)
        return DB_FAULT_BUSY;
    if (strcmp(s, "full") == 0)
        return DB_FAULT_FULL;
    if (strcmp(s, "lost") == 0)
        return DB_FAULT_LOST;
    return DB_FAULT_NONE;
}

enum db_fault_kind db_fault_take(void)
{
    int left = atomic_load(&fault_left);
    for (;;) {
        if (left == 0)
            return DB_FAULT_NONE;
        if (left < 0)
            return (enum db_fault_kind)atomic_load(&fault_kind);
        /* Exactly `count` operations fail even when several threads race for the last one. */
        if (atomic_compare_exchange_weak(&fault_left, &left, left - 1))
            return (enum db_fault_kind)atomic_load(&fault_kind);
    }
}
