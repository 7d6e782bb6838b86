/*
 * asimdns config: the capture.yaml schema (table + cross-key rules) and its public API.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/capture_config.h"
#include "config/cfg_load.h"
#include "config/cfg_text.h"
#include "config/log_schema.h"

typedef ad_capture_config C;

static const ad__cfg_enum source_types[] = {
    {"etw", AD_SOURCE_ETW},       {"etl", AD_SOURCE_ETL},
    {"replay", AD_SOURCE_REPLAY}, {"synthetic", AD_SOURCE_SYNTHETIC},
    {"dnstap", AD_SOURCE_DNSTAP}, {NULL, 0}};

static const ad__cfg_enum mixes[] = {{"dns_server", AD_MIX_DNS_SERVER},
                                     {"dns_client", AD_MIX_DNS_CLIENT},
                                     {"both", AD_MIX_BOTH},
                                     {NULL, 0}};

static const ad__cfg_list event_id_list = {
    .elem = AD__CFG_T_UINT,
    .elem_size = sizeof(uint16_t),
    .capacity = AD_CONFIG_MAX_EVENT_IDS,
    .count_offset = offsetof(C, source.event_id_count),
};

static const ad__cfg_entry replay_table[] = {
    {.name = "file",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(C, source.replay.file),
     .check = ad__cfg_check_nonempty,
     .help = "replay file (DESIGN.md §4 format)"},
    {.name = "rate",
     .type = AD__CFG_T_UINT,
     AD__CFG_FIELD(C, source.replay.rate),
     .def = "0",
     .help = "events per second; 0 = as fast as possible"},
    {.name = "loop",
     .type = AD__CFG_T_BOOL,
     AD__CFG_FIELD(C, source.replay.loop),
     .def = "false",
     .help = "start over at the end of the file"},
    {.name = "strict",
     .type = AD__CFG_T_BOOL,
     AD__CFG_FIELD(C, source.replay.strict),
     .def = "false",
     .help = "stop at the first malformed line instead of counting it"},
    {.type = AD__CFG_T_END},
};

static const ad__cfg_entry synthetic_table[] = {
    {.name = "seed",
     .type = AD__CFG_T_UINT,
     AD__CFG_FIELD(C, source.synthetic.seed),
     .def = "1",
     .help = "generator seed; the same seed gives the same events"},
    {.name = "rate",
     .type = AD__CFG_T_UINT,
     AD__CFG_FIELD(C, source.synthetic.rate),
     .def = "1000",
     .help = "events per second; 0 = as fast as possible"},
    {.name = "count",
     .type = AD__CFG_T_UINT,
     AD__CFG_FIELD(C, source.synthetic.count),
     .def = "0",
     .help = "events to generate; 0 = unlimited"},
    {.name = "mix",
     .type = AD__CFG_T_ENUM,
     AD__CFG_FIELD(C, source.synthetic.mix),
     .def = "both",
     .aux = mixes,
     .help = "which provider's events to imitate"},
    {.type = AD__CFG_T_END},
};

static const ad__cfg_entry dnstap_table[] = {
    {.name = "socket_path",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(C, source.dnstap.socket_path),
     .def = "/run/asimdns/dnstap.sock",
     .check = ad__cfg_check_nonempty,
     .help = "Unix socket the DNS server connects to"},
    {.name = "socket_owner",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(C, source.dnstap.socket_owner),
     .help = "user to own the socket; empty = as created"},
    {.name = "socket_group",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(C, source.dnstap.socket_group),
     .help = "group of the socket (the DNS server's group)"},
    {.name = "socket_mode",
     .type = AD__CFG_T_MODE,
     AD__CFG_FIELD(C, source.dnstap.socket_mode),
     .def = "0660",
     .flags = AD__CFG_F_OWNER_RW | AD__CFG_F_NO_OTHER_W,
     .help = "permission bits of the socket"},
    {.name = "max_frame_size",
     .type = AD__CFG_T_SIZE,
     AD__CFG_FIELD(C, source.dnstap.max_frame_size),
     .def = "256KiB",
     .min = 16u << 10,
     .max = 16u << 20,
     .help = "largest Frame Streams frame accepted"},
    {.name = "max_writers",
     .type = AD__CFG_T_UINT,
     AD__CFG_FIELD(C, source.dnstap.max_writers),
     .def = "64",
     .min = 1,
     .max = 1024,
     .help = "simultaneous writer connections"},
    {.name = "max_writers_per_user",
     .type = AD__CFG_T_UINT,
     AD__CFG_FIELD(C, source.dnstap.max_writers_per_user),
     .def = "16",
     .min = 1,
     .max = 1024,
     .help = "connections one user (peer uid) may hold at once; <= max_writers"},
    {.name = "handshake_timeout",
     .type = AD__CFG_T_DURATION,
     AD__CFG_FIELD(C, source.dnstap.handshake_timeout_ms),
     .def = "5s",
     .min = 100,
     .max = 300000,
     .help = "a writer must complete READY/ACCEPT/START within this"},
    {.name = "idle_timeout",
     .type = AD__CFG_T_DURATION,
     AD__CFG_FIELD(C, source.dnstap.idle_timeout_ms),
     .def = "5m",
     .min = 1000,
     .max = 86400000,
     .help = "a writer sending no frame for this long is disconnected"},
    {.name = "max_bad_frames",
     .type = AD__CFG_T_UINT,
     AD__CFG_FIELD(C, source.dnstap.max_bad_frames),
     .def = "8",
     .min = 0,
     .max = 1000000,
     .help = "non-dnstap frames before a writer is disconnected; 0 = never"},
    {.type = AD__CFG_T_END},
};

/* The bounds are capture/process_names.h's (config/ includes no capture header). */
static const ad__cfg_entry process_names_table[] = {
    {.name = "enabled",
     .type = AD__CFG_T_BOOL,
     AD__CFG_FIELD(C, source.process_names.enabled),
     .def = "true",
     .help = "etw: name the process behind DNS Client 3006/3008 (SrcProcessName)"},
    {.name = "cache_size",
     .type = AD__CFG_T_UINT,
     AD__CFG_FIELD(C, source.process_names.cache_size),
     .def = "256",
     .min = 1,
     .max = 65536,
     .help = "processes remembered by (process id, start key); about 1 KiB each"},
    {.type = AD__CFG_T_END},
};

static const ad__cfg_entry source_table[] = {
    {.name = "type",
     .type = AD__CFG_T_ENUM,
     AD__CFG_FIELD(C, source.type),
     .aux = source_types,
     .help = "event source (required)"},
    {.name = "provider",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(C, source.provider_name),
     .check = ad__cfg_check_etw_name,
     .help = "dns_server, dns_client or an ETW provider name (default dns_server)"},
    {.name = "provider_guid",
     .type = AD__CFG_T_GUID,
     AD__CFG_FIELD(C, source.provider_guid),
     .help = "ETW provider GUID instead of provider"},
    {.name = "level",
     .type = AD__CFG_T_UINT,
     AD__CFG_FIELD(C, source.level),
     .min = 0,
     .max = 5,
     .help = "ETW level; default 4 (DNS Server) or 5 (DNS Client)"},
    {.name = "keywords",
     .type = AD__CFG_T_UINT,
     .flags = AD__CFG_F_HEX,
     AD__CFG_FIELD(C, source.match_any_keyword),
     .help = "MatchAnyKeyword; provider default"},
    {.name = "match_any_keyword",
     .type = AD__CFG_T_UINT,
     .flags = AD__CFG_F_HEX | AD__CFG_F_ALIAS,
     AD__CFG_FIELD(C, source.match_any_keyword),
     .help = "same as keywords"},
    {.name = "match_all_keyword",
     .type = AD__CFG_T_UINT,
     .flags = AD__CFG_F_HEX,
     AD__CFG_FIELD(C, source.match_all_keyword),
     .def = "0",
     .help = "MatchAllKeyword"},
    {.name = "event_ids",
     .type = AD__CFG_T_LIST,
     .offset = offsetof(C, source.event_ids),
     .size = sizeof(((C *)0)->source.event_ids),
     .min = 0,
     .max = 65535,
     .aux = &event_id_list,
     .help = "EVENT_ID filter; empty = every event"},
    {.name = "session_name",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(C, source.session_name),
     .def = "asimdns-capture",
     .check = ad__cfg_check_etw_name,
     .help = "ETW real-time session name"},
    {.name = "buffer_size_kb",
     .type = AD__CFG_T_UINT,
     AD__CFG_FIELD(C, source.buffer_size_kb),
     .def = "256",
     .min = 4,
     .max = 16384,
     .help = "ETW buffer size in KB"},
    {.name = "min_buffers",
     .type = AD__CFG_T_UINT,
     AD__CFG_FIELD(C, source.min_buffers),
     .def = "16",
     .min = 2,
     .max = 4096,
     .help = "ETW MinimumBuffers"},
    {.name = "max_buffers",
     .type = AD__CFG_T_UINT,
     AD__CFG_FIELD(C, source.max_buffers),
     .def = "128",
     .min = 2,
     .max = 4096,
     .help = "ETW MaximumBuffers"},
    {.name = "flush_seconds",
     .type = AD__CFG_T_UINT,
     AD__CFG_FIELD(C, source.flush_seconds),
     .def = "1",
     .min = 0,
     .max = 3600,
     .help = "ETW FlushTimer; 0 = only when full"},
    {.name = "etl_file",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(C, source.etl_file),
     .check = ad__cfg_check_nonempty,
     .help = ".etl file for type etl"},
    {.name = "replay", .type = AD__CFG_T_SECTION, .aux = replay_table},
    {.name = "synthetic", .type = AD__CFG_T_SECTION, .aux = synthetic_table},
    {.name = "dnstap", .type = AD__CFG_T_SECTION, .aux = dnstap_table},
    {.name = "process_names", .type = AD__CFG_T_SECTION, .aux = process_names_table},
    {.type = AD__CFG_T_END},
};

static const ad__cfg_entry ring_table[] = {
    {.name = "name",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(C, ring.name),
     .def = "asimdns",
     .check = ad__cfg_check_ring_name,
     .help = "shared-memory ring name"},
    {.name = "size",
     .type = AD__CFG_T_SIZE,
     AD__CFG_FIELD(C, ring.size),
     .def = "64MiB",
     .min = 1u << 20,
     .max = 1u << 30,
     .flags = AD__CFG_F_POW2,
     .help = "record area size, a power of two"},
    {.name = "data_mode",
     .type = AD__CFG_T_MODE,
     AD__CFG_FIELD(C, ring.data_mode),
     .def = "0640",
     .flags = AD__CFG_F_OWNER_RW | AD__CFG_F_NO_GROUP_W | AD__CFG_F_NO_OTHER_W,
     .help = "permissions of the data object (exporter reads it)"},
    {.name = "cursor_mode",
     .type = AD__CFG_T_MODE,
     AD__CFG_FIELD(C, ring.cursor_mode),
     .def = "0660",
     .flags = AD__CFG_F_OWNER_RW | AD__CFG_F_NO_OTHER_W,
     .help = "permissions of the cursor object (exporter writes it)"},
    {.name = "group",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(C, ring.group),
     .help = "group of both objects (the exporter's group)"},
    {.name = "exporter_account",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(C, ring.exporter_account),
     .help = "Windows: the exporter's account or SID granted read (data) and read-write "
             "(cursor) in the sections' security descriptor"},
    {.name = "recreate_on_mismatch",
     .type = AD__CFG_T_BOOL,
     AD__CFG_FIELD(C, ring.recreate_on_mismatch),
     .def = "false",
     .help = "replace a ring with another layout instead of refusing to start"},
    {.name = "directory",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(C, ring.directory),
     .def = "/run/asimdns",
     .check = ad__cfg_check_abs_dir,
     .help = "POSIX: directory of the ring objects, writable only by root or the capture"},
    {.type = AD__CFG_T_END},
};

static const ad__cfg_entry privileges_table[] = {
    {.name = "user",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(C, privileges.user),
     .help = "user to switch to after opening source and ring (POSIX)"},
    {.name = "group",
     .type = AD__CFG_T_STR,
     AD__CFG_FIELD(C, privileges.group),
     .help = "group to switch to (POSIX)"},
    {.type = AD__CFG_T_END},
};

static const ad__cfg_entry capture_table[] = {
    {.name = "source", .type = AD__CFG_T_SECTION, .aux = source_table},
    {.name = "ring", .type = AD__CFG_T_SECTION, .aux = ring_table},
    {.name = "privileges", .type = AD__CFG_T_SECTION, .aux = privileges_table},
    {.name = "log",
     .type = AD__CFG_T_SECTION,
     .offset = offsetof(C, log),
     .aux = ad__cfg_log_table},
    {.name = "heartbeat_seconds",
     .type = AD__CFG_T_UINT,
     AD__CFG_FIELD(C, heartbeat_seconds),
     .def = "1",
     .min = 1,
     .max = 60,
     .help = "ring heartbeat and counter refresh period"},
    {.type = AD__CFG_T_END},
};

/* The position to blame for a missing key: its parent's key, else the top level. */
static uint32_t capture_blame(const ad__cfg_tree *t, uint32_t root, const char *parent)
{
    uint32_t key = 0;
    if (ad__cfg_find(t, root, parent, &key) != 0 && key != 0)
        return key;
    return root;
}

/*
 * Resolves provider / provider_guid through common/dns_tables.h and applies the provider's
 * default level and keywords where the file gives none.
 */
static ad_err capture_provider(ad__cfg_ctx *ctx, uint32_t root, C *cfg)
{
    const ad__cfg_tree *t = ctx->tree;
    uint32_t name_key = 0, guid_key = 0, k1 = 0, k2 = 0;
    bool has_name = ad__cfg_find(t, root, "source.provider", &name_key) != 0;
    bool has_guid = ad__cfg_find(t, root, "source.provider_guid", &guid_key) != 0;
    ad_capture_source *src = &cfg->source;
    if (has_name && has_guid)
        return ad__cfg_fail(ctx, guid_key,
                            "give either 'source.provider' or 'source.provider_guid', not both");

    ad_provider id = AD_PROVIDER_DNS_SERVER; /* no provider given */
    if (has_name)
        id = ad_provider_lookup(src->provider_name, strlen(src->provider_name));
    else if (has_guid)
        id = ad_provider_from_guid(&src->provider_guid);
    const ad_provider_info *info = ad_provider_info_get(id);
    if (info != NULL) {
        src->provider = info->id;
        snprintf(src->provider_name, sizeof(src->provider_name), "%s", info->name);
        src->provider_guid = info->guid;
        src->provider_guid_known = true;
    } else {
        src->provider = AD_PROVIDER_UNKNOWN;
        src->provider_guid_known = has_guid; /* by name: capture resolves it at run time */
    }

    if (ad__cfg_find(t, root, "source.level", NULL) == 0)
        src->level = info != NULL ? info->default_level : AD_OTHER_PROVIDER_DEFAULT_LEVEL;
    bool has_kw = ad__cfg_find(t, root, "source.keywords", &k1) != 0;
    bool has_any = ad__cfg_find(t, root, "source.match_any_keyword", &k2) != 0;
    if (has_kw && has_any)
        return ad__cfg_fail(ctx, k1 > k2 ? k1 : k2,
                            "'source.keywords' and 'source.match_any_keyword' are the same "
                            "setting; give one");
    if (!has_kw && !has_any)
        src->match_any_keyword =
            info != NULL ? info->default_keywords : AD_OTHER_PROVIDER_DEFAULT_KEYWORDS;
    return AD_OK;
}

static ad_err capture_post(ad__cfg_ctx *ctx, uint32_t root, void *arg)
{
    const ad__cfg_tree *t = ctx->tree;
    C *cfg = ctx->base;
    uint32_t type_node = ad__cfg_find(t, root, "source.type", NULL);
    (void)arg;
    if (ad__cfg_find(t, root, "source", NULL) == 0)
        return ad__cfg_fail(ctx, root, "missing 'source' section (with 'type')");
    if (type_node == 0)
        return ad__cfg_fail(ctx, capture_blame(t, root, "source"),
                            "missing 'source.type' (etw, etl, replay, synthetic or dnstap)");

    ad_err rc = capture_provider(ctx, root, cfg);
    if (rc != AD_OK)
        return rc;

    if (cfg->source.min_buffers > cfg->source.max_buffers) {
        uint32_t at = ad__cfg_find(t, root, "source.min_buffers", NULL);
        if (at == 0)
            at = ad__cfg_find(t, root, "source.max_buffers", NULL);
        return ad__cfg_fail(ctx, at,
                            "'source.min_buffers' (%u) must not exceed 'source.max_buffers' (%u)",
                            (unsigned)cfg->source.min_buffers, (unsigned)cfg->source.max_buffers);
    }
    /* The per-user default follows a smaller max_writers; a value given must fit under it. */
    if (cfg->source.dnstap.max_writers_per_user > cfg->source.dnstap.max_writers) {
        uint32_t at = ad__cfg_find(t, root, "source.dnstap.max_writers_per_user", NULL);
        if (at != 0)
            return ad__cfg_fail(ctx, at,
                                "'source.dnstap.max_writers_per_user' (%u) must not exceed "
                                "'source.dnstap.max_writers' (%u)",
                                (unsigned)cfg->source.dnstap.max_writers_per_user,
                                (unsigned)cfg->source.dnstap.max_writers);
        cfg->source.dnstap.max_writers_per_user = cfg->source.dnstap.max_writers;
    }
    switch (cfg->source.type) {
    case AD_SOURCE_ETL:
        if (cfg->source.etl_file[0] == '\0')
            return ad__cfg_fail(ctx, type_node,
                                "'source.etl_file' is required when 'source.type' is etl");
        break;
    case AD_SOURCE_REPLAY:
        if (cfg->source.replay.file[0] == '\0')
            return ad__cfg_fail(ctx, type_node,
                                "'source.replay.file' is required when 'source.type' is replay");
        break;
    default:
        break;
    }
    return AD_OK;
}

ad_err ad_config_load_capture_mem(const char *name, const char *data, size_t len,
                                  ad_config_getenv_fn getenv_fn, ad_capture_config *cfg, char *err,
                                  size_t errlen)
{
    (void)getenv_fn; /* capture.yaml honours no variables (yet) */
    return ad__cfg_load(name, data, len, capture_table, cfg, sizeof(*cfg), capture_post, NULL, err,
                        errlen);
}

ad_err ad_config_load_capture(const char *path, ad_config_getenv_fn getenv_fn,
                              ad_capture_config *cfg, char *err, size_t errlen)
{
    char *data;
    size_t len;
    ad_err rc = ad__cfg_read_file(path, AD_CONFIG_MAX_FILE_BYTES, &data, &len, err, errlen);
    if (rc != AD_OK)
        return rc;
    rc = ad_config_load_capture_mem(path, data, len, getenv_fn, cfg, err, errlen);
    free(data);
    return rc;
}

void ad_config_dump_capture(const ad_capture_config *cfg, ad_config_line_fn line, void *ctx)
{
    ad__cfg_dump(capture_table, cfg, "", line, ctx);
}
