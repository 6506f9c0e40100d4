/*
 * A small library whose ABI changes with -D flags, for test-check-abi: it
 * shows that check-abi fails on each incompatible change and passes on the
 * compatible ones. Same shapes as libsign's API: a versioned option struct,
 * an enum with explicit values, functions in a version script.
 */
#include <stddef.h>

#define DEMO_EXPORT __attribute__((visibility("default")))

typedef struct demo_sign_options {
    unsigned int version;
#ifdef INSERT_FIELD
    int inserted;
#endif
    int level;
#ifdef APPEND_FIELD
    int appended;
#endif
} demo_sign_options;

typedef enum demo_mode {
    DEMO_MODE_A = 0,
#ifdef RENUMBER_ENUM
    DEMO_MODE_B = 7
#else
    DEMO_MODE_B = 1
#endif
#ifdef APPEND_ENUM
    ,
    DEMO_MODE_C = 2
#endif
} demo_mode;

DEMO_EXPORT int demo_sign(const demo_sign_options *o, demo_mode m)
{
    return o->level + (int)m;
}

#ifndef REMOVE_FUNCTION
#ifdef CHANGE_RETURN
DEMO_EXPORT long demo_verify(const char *path)
#else
DEMO_EXPORT int demo_verify(const char *path
#ifdef ADD_PARAMETER
                            ,
                            int flags
#endif
)
#endif
{
    return path != NULL;
}
#endif

#ifdef ADD_FUNCTION
DEMO_EXPORT int demo_new(void)
{
    return 1;
}
#endif
