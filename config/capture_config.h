/*
 * asimdns: asimdns-capture's configuration (capture.yaml).
 *
 * Loading fills every field: what the file leaves out gets its documented default, and the
 * provider-dependent defaults (level, keywords) follow the resolved provider.
 */
#ifndef AD_CONFIG_CAPTURE_CONFIG_H
#define AD_CONFIG_CAPTURE_CONFIG_H

#include <stdio.h>

#include "common/dns_tables.h"
#include "common/record.h"
#include "config/config.h"

/* EVENT_FILTER_EVENT_ID holds at most 64 ids (MAX_EVENT_FILTER_EVENT_ID_COUNT). */
#define AD_CONFIG_MAX_EVENT_IDS 64

/*
 * The DNS Server and DNS Client names, GUIDs and default level/keywords (DESIGN.md §6) come
 * from common/dns_tables.h (ad_provider_info_get). Any other provider gets everything; narrow
 * it down with event_ids.
 */
#define AD_OTHER_PROVIDER_DEFAULT_LEVEL 5
#define AD_OTHER_PROVIDER_DEFAULT_KEYWORDS 0xFFFFFFFFFFFFFFFFULL

/* Which providers the synthetic generator imitates. */
typedef enum ad_synthetic_mix {
    AD_MIX_DNS_SERVER = 0,
    AD_MIX_DNS_CLIENT,
    AD_MIX_BOTH
} ad_synthetic_mix;

typedef struct ad_capture_source {
    ad_source type; /* etw|etl|replay|synthetic|dnstap (required) */

    /* ETW (live session and .etl files). */
    ad_provider provider;                   /* resolved; AD_PROVIDER_UNKNOWN = other provider */
    char provider_name[AD_CONFIG_NAME_MAX]; /* canonical name; may be empty for GUID-only */
    ad_guid provider_guid;                  /* valid when provider_guid_known */
    bool provider_guid_known;               /* false: capture resolves provider_name at run time */
    uint8_t level;                          /* 0..5 */
    uint64_t match_any_keyword;
    uint64_t match_all_keyword;
    uint16_t event_ids[AD_CONFIG_MAX_EVENT_IDS]; /* optional EVENT_ID filter */
    uint32_t event_id_count;
    char session_name[AD_CONFIG_NAME_MAX];
    uint32_t buffer_size_kb;
    uint32_t min_buffers;
    uint32_t max_buffers;
    uint32_t flush_seconds;
    char etl_file[AD_CONFIG_PATH_MAX];

    struct {
        char file[AD_CONFIG_PATH_MAX];
        uint64_t rate; /* events/s, 0 = as fast as possible */
        bool loop;
        bool strict;
    } replay;

    struct {
        uint64_t seed;
        uint64_t rate;  /* events/s, 0 = as fast as possible */
        uint64_t count; /* 0 = unlimited */
        ad_synthetic_mix mix;
    } synthetic;

    struct {
        char socket_path[AD_CONFIG_PATH_MAX];
        char socket_owner[AD_CONFIG_NAME_MAX]; /* empty = leave as created */
        char socket_group[AD_CONFIG_NAME_MAX];
        uint32_t socket_mode;
        uint64_t max_frame_size;
        uint32_t max_writers;
        uint32_t max_writers_per_user; /* connections one peer uid may hold at once */
        uint64_t handshake_timeout_ms; /* connect -> START (READY/ACCEPT included) */
        uint64_t idle_timeout_ms;      /* longest wait for the next frame after START */
        uint32_t max_bad_frames;       /* non-dnstap frames before disconnecting; 0 = never */
    } dnstap;

    /* SrcProcessName of DNS Client queries (etw source; capture/process_names.h). */
    struct {
        bool enabled;
        uint32_t cache_size; /* entries, 1..65536 */
    } process_names;
} ad_capture_source;

typedef struct ad_capture_ring {
    char name[AD_CONFIG_NAME_MAX];
    uint64_t size; /* bytes, power of two */
    uint32_t data_mode;
    uint32_t cursor_mode;
    char group[AD_CONFIG_NAME_MAX]; /* group given access to the ring; empty = primary group */
    /* Windows: account or SID of the exporter named in the sections' descriptor; empty = none
       (only the capture's own account, SYSTEM, and Administrators read-only) */
    char exporter_account[AD_CONFIG_NAME_MAX];
    bool recreate_on_mismatch;
    char directory[AD_CONFIG_PATH_MAX]; /* POSIX: where the ring objects live (ring.directory) */
} ad_capture_ring;

typedef struct ad_capture_config {
    ad_capture_source source;
    ad_capture_ring ring;
    struct {
        char user[AD_CONFIG_NAME_MAX]; /* empty = keep */
        char group[AD_CONFIG_NAME_MAX];
    } privileges;
    ad_config_log log;
    uint32_t heartbeat_seconds;
} ad_capture_config;

/*
 * Loads capture.yaml from path into *cfg. getenv_fn may be NULL (process environment); the
 * capture file currently honours no variables, the parameter keeps both loaders alike.
 * On failure err holds "FILE:LINE:COLUMN: message" (or "FILE: message" for I/O errors) and
 * *cfg is unspecified.
 */
ad_err ad_config_load_capture(const char *path, ad_config_getenv_fn getenv_fn,
                              ad_capture_config *cfg, char *err, size_t errlen);

/* Same from memory; name stands for the file name in messages. */
ad_err ad_config_load_capture_mem(const char *name, const char *data, size_t len,
                                  ad_config_getenv_fn getenv_fn, ad_capture_config *cfg, char *err,
                                  size_t errlen);

/* Emits the effective configuration, one "key: value" line at a time. */
void ad_config_dump_capture(const ad_capture_config *cfg, ad_config_line_fn line, void *ctx);

/*
 * For `asimdns-capture --check FILE`: loads the file, then prints the effective configuration
 * to out and returns 0, or prints the error to errout and returns 1.
 */
int ad_config_check_capture(const char *path, ad_config_getenv_fn getenv_fn, FILE *out,
                            FILE *errout);

#endif
