/*
 * asimdns: ipc/shm.h on Windows: named sections backed by the paging file, with a security
 * descriptor that lets the exporter's account map the data section read-only and the cursor
 * section read-write, and nobody else in.
 *
 * Name space: Global\asimdns-<ring>-<kind> for services (session 0; creating a Global\ section
 * from another session needs SeCreateGlobalPrivilege), Local\asimdns-<ring>-<kind> for a
 * console session (tests, demos).
 *
 * Descriptor (SDDL, protected so nothing is inherited; no ACE for Everyone):
 *   O:<capture SID>D:P(A;;GA;;;SY)(A;;GA;;;<capture SID>)(A;;0x20004;;;BA)
 *                     (A;;<peer rights>;;;<exporter SID>)
 *   peer rights: data 0x20004 = SECTION_MAP_READ | READ_CONTROL,
 *                cursor 0x20006 = SECTION_MAP_READ | SECTION_MAP_WRITE | READ_CONTROL.
 *   READ_CONTROL lets the exporter read the owner to check it; BA (Administrators) may map
 *   read-only so `asimdns status` works from an elevated prompt.
 *
 * Anti-squatting: CreateFileMappingW on an existing name returns that object (and
 * ERROR_ALREADY_EXISTS) or fails with ERROR_ACCESS_DENIED when its descriptor keeps us out.
 * Either way creation fails closed (AD_EEXIST); the core then opens the object only to check
 * that its owner is our own user SID (GetSecurityInfo), and refuses it otherwise. A Windows
 * name cannot be removed while anyone holds a handle, so "recreate" cannot evict a squatter:
 * the ring is refused with a message naming the owner.
 *
 * Sections are fixed-size: no one can shrink them under a mapping (the exporter is never given
 * SECTION_EXTEND_SIZE), so the POSIX fault guard has nothing to do here.
 */
#ifdef AD_PLATFORM_WINDOWS
#include "ipc/ring.h"
#include "ipc/shm.h"

#include <windows.h>
#include <aclapi.h>
#include <sddl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/compiler.h"

#define SDDL_MAX 1024

/* Ring names are validated ASCII, so widening is a byte-for-byte copy. */
static ad_err ascii_to_wide(const char *in, wchar_t *out, size_t cap)
{
    size_t n = strlen(in);
    if (n + 1 > cap) {
        return AD_ERANGE;
    }
    for (size_t i = 0; i <= n; i++) {
        out[i] = (wchar_t)(unsigned char)in[i];
    }
    return AD_OK;
}

static ad_err win_name(char *narrow, size_t ncap, wchar_t *wide, size_t wcap, const char *ring,
                       const char *kind, bool global)
{
    int n = snprintf(narrow, ncap, "%s\\asimdns-%s-%s", global ? "Global" : "Local", ring, kind);
    if (n <= 0 || (size_t)n >= ncap) {
        return AD_ERANGE;
    }
    return ascii_to_wide(narrow, wide, wcap);
}

/* The SID of our token's user, copied into LocalAlloc'd memory. */
static ad_err self_sid(PSID *out)
{
    HANDLE tok = NULL;
    DWORD len = 0;
    TOKEN_USER *tu = NULL;
    ad_err err = AD_ESYS;

    *out = NULL;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok)) {
        return AD_ESYS;
    }
    GetTokenInformation(tok, TokenUser, NULL, 0, &len);
    tu = (TOKEN_USER *)malloc(len);
    if (tu != NULL && GetTokenInformation(tok, TokenUser, tu, len, &len)) {
        DWORD sl = GetLengthSid(tu->User.Sid);
        PSID copy = LocalAlloc(LPTR, sl);
        if (copy != NULL && CopySid(sl, copy, tu->User.Sid)) {
            *out = copy;
            err = AD_OK;
        } else if (copy != NULL) {
            LocalFree(copy);
        }
    }
    free(tu);
    CloseHandle(tok);
    return err;
}

static ad_err sid_to_text(PSID sid, char *out, size_t cap)
{
    wchar_t *ws = NULL;
    if (!ConvertSidToStringSidW(sid, &ws)) {
        return AD_ESYS;
    }
    size_t i = 0;
    for (; ws[i] != 0 && i + 1 < cap; i++) {
        out[i] = (char)ws[i]; /* SID strings are ASCII */
    }
    out[i] = '\0';
    LocalFree(ws);
    return AD_OK;
}

/*
 * Resolves an account ("S-1-5-80-..." or "NT SERVICE\\asimdns-exporter", UTF-8) to a SID in
 * LocalAlloc'd memory.
 */
static ad_err account_sid(const char *account, PSID *out)
{
    wchar_t wacc[512], domain[256];
    DWORD sidlen = SECURITY_MAX_SID_SIZE, domlen = 256;
    SID_NAME_USE use;
    PSID sid;

    *out = NULL;
    if (MultiByteToWideChar(CP_UTF8, 0, account, -1, wacc, 512) == 0) {
        return AD_EINVAL;
    }
    if (account[0] == 'S' && account[1] == '-') {
        return ConvertStringSidToSidW(wacc, out) ? AD_OK : AD_EINVAL;
    }
    sid = LocalAlloc(LPTR, SECURITY_MAX_SID_SIZE);
    if (sid == NULL) {
        return AD_ENOMEM;
    }
    if (!LookupAccountNameW(NULL, wacc, sid, &sidlen, domain, &domlen, &use)) {
        LocalFree(sid);
        return AD_ENOENT;
    }
    *out = sid;
    return AD_OK;
}

/* The owner SID of an open kernel object, as text. Needs READ_CONTROL on the handle. */
static ad_err object_owner(HANDLE h, PSID *owner_out, PSECURITY_DESCRIPTOR *sd_out, char *text,
                           size_t cap)
{
    PSID owner = NULL;
    PSECURITY_DESCRIPTOR sd = NULL;
    if (GetSecurityInfo(h, SE_KERNEL_OBJECT, OWNER_SECURITY_INFORMATION, &owner, NULL, NULL, NULL,
                        &sd) != ERROR_SUCCESS) {
        return AD_EPERM;
    }
    if (sid_to_text(owner, text, cap) != AD_OK) {
        LocalFree(sd);
        return AD_ESYS;
    }
    *owner_out = owner; /* points into sd */
    *sd_out = sd;
    return AD_OK;
}

static size_t view_size(void *addr)
{
    MEMORY_BASIC_INFORMATION mbi;
    if (VirtualQuery(addr, &mbi, sizeof(mbi)) == 0) {
        return 0;
    }
    return (size_t)mbi.RegionSize;
}

ad_err ad__shm_create(const char *ring, const char *kind, bool global, size_t size,
                      const ad__shm_perm *perm, ad__shm *out, char *msg, size_t msgcap)
{
    wchar_t wname[AD__SHM_NAME_MAX];
    char self_text[AD__SHM_OWNER_MAX], peer_text[AD__SHM_OWNER_MAX];
    char sddl[SDDL_MAX];
    wchar_t wsddl[SDDL_MAX];
    PSECURITY_DESCRIPTOR sd = NULL;
    SECURITY_ATTRIBUTES sa;
    PSID self = NULL, peer = NULL;
    HANDLE h;
    DWORD e;
    ad_err err;
    int n;

    memset(out, 0, sizeof(*out));
    out->guard = -1;
    if (win_name(out->name, sizeof(out->name), wname, AD__SHM_NAME_MAX, ring, kind, global) !=
        AD_OK) {
        ad_err_msg(msg, msgcap, "ring name too long");
        return AD_ERANGE;
    }
    if ((err = self_sid(&self)) != AD_OK ||
        sid_to_text(self, self_text, sizeof(self_text)) != AD_OK) {
        LocalFree(self);
        ad_err_msg(msg, msgcap, "cannot read this process's user SID (error %lu)",
                   (unsigned long)GetLastError());
        return AD_ESYS;
    }
    LocalFree(self);
    peer_text[0] = '\0';
    if (perm->peer_account != NULL && perm->peer_account[0] != '\0') {
        if (account_sid(perm->peer_account, &peer) != AD_OK ||
            sid_to_text(peer, peer_text, sizeof(peer_text)) != AD_OK) {
            LocalFree(peer);
            ad_err_msg(msg, msgcap, "exporter account \"%s\" is not a known account or SID",
                       perm->peer_account);
            return AD_EINVAL;
        }
        LocalFree(peer);
    }
    n = snprintf(sddl, sizeof(sddl), "O:%sD:P(A;;GA;;;SY)(A;;GA;;;%s)(A;;0x20004;;;BA)", self_text,
                 self_text);
    if (n > 0 && (size_t)n < sizeof(sddl) && peer_text[0] != '\0') {
        n += snprintf(sddl + n, sizeof(sddl) - (size_t)n, "(A;;%s;;;%s)",
                      perm->peer_write ? "0x20006" : "0x20004", peer_text);
    }
    if (n <= 0 || (size_t)n >= sizeof(sddl) || ascii_to_wide(sddl, wsddl, SDDL_MAX) != AD_OK ||
        !ConvertStringSecurityDescriptorToSecurityDescriptorW(wsddl, SDDL_REVISION_1, &sd, NULL)) {
        ad_err_msg(msg, msgcap, "cannot build the security descriptor for %s", out->name);
        return AD_ESYS;
    }
    sa.nLength = sizeof(sa);
    sa.lpSecurityDescriptor = sd;
    sa.bInheritHandle = FALSE;
    h = CreateFileMappingW(INVALID_HANDLE_VALUE, &sa, PAGE_READWRITE | SEC_COMMIT,
                           (DWORD)((uint64_t)size >> 32), (DWORD)(size & 0xffffffffu), wname);
    e = GetLastError();
    LocalFree(sd);
    if (h == NULL) {
        if (e == ERROR_ACCESS_DENIED) {
            /* The name exists with a descriptor that keeps us out: someone else's object. */
            ad_err_msg(msg, msgcap, "section %s already exists and is not accessible", out->name);
            return AD_EEXIST;
        }
        if (e == ERROR_PRIVILEGE_NOT_HELD) {
            ad_err_msg(msg, msgcap,
                       "creating %s needs SeCreateGlobalPrivilege (run as a service, or use the "
                       "Local\\ name space)",
                       out->name);
            return AD_EPERM;
        }
        ad_err_msg(msg, msgcap, "cannot create section %s (error %lu)", out->name,
                   (unsigned long)e);
        return e == ERROR_NOT_ENOUGH_MEMORY || e == ERROR_COMMITMENT_LIMIT ? AD_ENOMEM : AD_ESYS;
    }
    if (e == ERROR_ALREADY_EXISTS) {
        CloseHandle(h); /* fail closed: never adopt an object we did not create */
        ad_err_msg(msg, msgcap, "section %s already exists", out->name);
        return AD_EEXIST;
    }
    out->addr = MapViewOfFile(h, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, size);
    if (out->addr == NULL) {
        ad_err_msg(msg, msgcap, "cannot map section %s (error %lu)", out->name,
                   (unsigned long)GetLastError());
        CloseHandle(h);
        return AD_ESYS;
    }
    out->size = size;
    out->handle = (intptr_t)h;
    out->writable = true;
    snprintf(out->owner, sizeof(out->owner), "%s", self_text);
    return AD_OK;
}

ad_err ad__shm_open(const char *ring, const char *kind, bool global, bool writable,
                    const ad__shm_expect *expect, ad__shm *out, char *msg, size_t msgcap)
{
    wchar_t wname[AD__SHM_NAME_MAX];
    DWORD access = FILE_MAP_READ | READ_CONTROL | (writable ? FILE_MAP_WRITE : 0);
    DWORD map_access = FILE_MAP_READ | (writable ? FILE_MAP_WRITE : 0);
    PSECURITY_DESCRIPTOR sd = NULL;
    PSID owner = NULL, want = NULL;
    HANDLE h;
    ad_err err;

    memset(out, 0, sizeof(*out));
    out->guard = -1;
    if (win_name(out->name, sizeof(out->name), wname, AD__SHM_NAME_MAX, ring, kind, global) !=
        AD_OK) {
        ad_err_msg(msg, msgcap, "ring name too long");
        return AD_ERANGE;
    }
    h = OpenFileMappingW(access, FALSE, wname);
    if (h == NULL) {
        DWORD e = GetLastError();
        if (e == ERROR_FILE_NOT_FOUND) {
            ad_err_msg(msg, msgcap, "ring section %s does not exist (is asimdns-capture running?)",
                       out->name);
            return AD_ENOENT;
        }
        if (e == ERROR_ACCESS_DENIED) {
            ad_err_msg(msg, msgcap,
                       "access denied opening ring section %s for %s: the capture grants access "
                       "only to the account named in its exporter_account setting",
                       out->name, writable ? "reading and writing" : "reading");
            return AD_EPERM;
        }
        ad_err_msg(msg, msgcap, "cannot open ring section %s (error %lu)", out->name,
                   (unsigned long)e);
        return AD_ESYS;
    }
    if (object_owner(h, &owner, &sd, out->owner, sizeof(out->owner)) != AD_OK) {
        ad_err_msg(msg, msgcap, "cannot read the owner of ring section %s", out->name);
        CloseHandle(h);
        return AD_EPERM;
    }
    if (expect != NULL && expect->owner != NULL) {
        err = expect->owner[0] == '\0' ? self_sid(&want) : account_sid(expect->owner, &want);
        if (err != AD_OK || !EqualSid(owner, want)) {
            ad_err_msg(msg, msgcap,
                       "ring section %s is owned by %s, not by the expected account: refusing an "
                       "object someone else created (possible squatting)",
                       out->name, out->owner);
            LocalFree(want);
            LocalFree(sd);
            CloseHandle(h);
            return AD_EPERM;
        }
        LocalFree(want);
    }
    LocalFree(sd);
    if (expect != NULL && expect->max_map != 0) {
        out->addr = MapViewOfFile(h, map_access, 0, 0, expect->max_map);
    }
    if (out->addr == NULL) {
        out->addr = MapViewOfFile(h, map_access, 0, 0, 0);
    }
    if (out->addr == NULL) {
        ad_err_msg(msg, msgcap, "cannot map ring section %s (error %lu)", out->name,
                   (unsigned long)GetLastError());
        CloseHandle(h);
        return AD_ESYS;
    }
    out->size = view_size(out->addr);
    out->handle = (intptr_t)h;
    out->writable = writable;
    return AD_OK;
}

ad_err ad__shm_apply_perm(ad__shm *s, const ad__shm_perm *perm, char *msg, size_t msgcap)
{
    (void)s;
    (void)perm;
    (void)msg;
    (void)msgcap;
    return AD_OK; /* the descriptor is fixed when the section is created */
}

ad_err ad__shm_restore_size(ad__shm *s)
{
    (void)s;
    return AD_OK; /* sections cannot shrink */
}

/* Sections have no directory: their names live in the object manager's name space. */
ad_err ad_ring_set_directory(const char *dir)
{
    (void)dir;
    return AD_OK;
}

const char *ad_ring_directory(void)
{
    return "";
}

ad_err ad__shm_unlink(const char *ring, const char *kind, bool global)
{
    (void)ring;
    (void)kind;
    (void)global;
    return AD_OK; /* a section disappears with its last handle */
}

void ad__shm_close(ad__shm *s)
{
    if (s->addr != NULL) {
        UnmapViewOfFile(s->addr);
        CloseHandle((HANDLE)s->handle);
    }
    s->addr = NULL;
    s->handle = 0;
}

bool ad__shm_faulted(const ad__shm *s)
{
    (void)s;
    return false;
}

ad_err ad__shm_repair(ad__shm *s)
{
    (void)s;
    return AD_OK;
}

uint64_t ad__proc_self(void)
{
    return (uint64_t)GetCurrentProcessId();
}

bool ad__proc_alive(uint64_t pid)
{
    HANDLE h;
    DWORD rc;
    if (pid == 0 || pid > 0xffffffffu) {
        return false;
    }
    h = OpenProcess(SYNCHRONIZE, FALSE, (DWORD)pid);
    if (h == NULL) {
        return GetLastError() == ERROR_ACCESS_DENIED; /* exists, but not ours to open */
    }
    rc = WaitForSingleObject(h, 0);
    CloseHandle(h);
    return rc == WAIT_TIMEOUT;
}

void ad__cpu_yield(void)
{
    SwitchToThread();
}
#endif
