/*
 * asimdns: ASCII character helpers for parsers of configuration, replay text and addresses.
 * Locale-independent on purpose: <ctype.h> follows the C locale, and these inputs are protocol
 * text, not user language.
 */
#ifndef AD_COMMON_ASCII_H
#define AD_COMMON_ASCII_H

#include <stdbool.h>
#include <stddef.h>

/* c with 'A'..'Z' folded to 'a'..'z'; every other byte unchanged. */
static inline char ad_ascii_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* text[len] equals the NUL-terminated word, ASCII case-insensitively. */
static inline bool ad_ascii_equal_ci(const char *text, size_t len, const char *word)
{
    for (size_t i = 0; i < len; i++) {
        if (word[i] == '\0' || ad_ascii_lower(text[i]) != ad_ascii_lower(word[i]))
            return false;
    }
    return word[len] == '\0';
}

/* The value of one hexadecimal digit (either case), or -1 when c is not one. */
static inline int ad_hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

#endif
