/*
 * Test helpers shared by the C tests (not part of the library): failure counting checks that
 * name the code returned, file reading, hex output. Every test includes only this and sev.h.
 */
#ifndef SEV_CAPI_TEST_COMMON_H
#define SEV_CAPI_TEST_COMMON_H

#include <sev.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;

#define CHECK(cond)                                                             \
    do {                                                                        \
        if (!(cond)) {                                                          \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                         \
        }                                                                       \
    } while (0)

#define CHECK_CODE(expr, want)                                                  \
    do {                                                                        \
        int got_ = (expr);                                                      \
        if (got_ != (want)) {                                                   \
            fprintf(stderr, "%s:%d: %s returned %d (%s), expected %d (%s)\n", __FILE__, \
                    __LINE__, #expr, got_, sev_strerror(got_), (want), sev_strerror(want)); \
            failures++;                                                         \
        }                                                                       \
    } while (0)

static uint8_t *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        perror(path);
        exit(2);
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void to_hex(const uint8_t *bytes, size_t n, char *out) {
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", bytes[i]);
}

#endif
