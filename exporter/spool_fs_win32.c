/*
 * asimdns-exporter: the spool's file operations on Windows (spool_fs.h): the checks of
 * spool_fs_posix.c in Win32 terms.
 *
 * - No link is followed: every CreateFileW carries FILE_FLAG_OPEN_REPARSE_POINT, and a file or
 *   directory that is a reparse point (symbolic link, junction, mount point) is refused with
 *   -ELOOP, as O_NOFOLLOW refuses a symbolic link.
 * - The directory is created with a protected owner-only DACL (the 0700 of POSIX). An existing
 *   one is accepted only when it is owned by this process's user (its token user or default
 *   owner: an elevated administrator's files belong to Administrators) and no ACE lets anyone
 *   but that owner (also as CREATOR OWNER / OWNER RIGHTS), SYSTEM or Administrators (who can
 *   take any file anyway, like root) add, remove or re-permission entries; its DACL is then
 * replaced by the owner-only one (the fchmod 0700). Files inherit that DACL (the 0600 of POSIX).
 * - fsync = FlushFileBuffers, truncation = SetEndOfFile, listing = FindFirstFileW.
 *
 * Descriptors are CRT descriptors over the Win32 handles (_open_osfhandle), so the table keeps
 * its int fds and _close closes the handle.
 */
#ifdef AD_PLATFORM_WINDOWS
#include "exporter/spool_fs.h"

#include <windows.h>
#include <aclapi.h>
#include <io.h>
#include <sddl.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WPATH_CAP 4096

/* Rights that let someone change what the directory holds or who may use it. */
#define DIR_WRITE_RIGHTS                                                                           \
    (FILE_ADD_FILE | FILE_ADD_SUBDIRECTORY | FILE_DELETE_CHILD | DELETE | WRITE_DAC |              \
     WRITE_OWNER | GENERIC_WRITE | GENERIC_ALL)

static int errno_of(DWORD e)
{
    switch (e) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
        return ENOENT;
    case ERROR_FILE_EXISTS:
    case ERROR_ALREADY_EXISTS:
        return EEXIST;
    case ERROR_ACCESS_DENIED:
    case ERROR_PRIVILEGE_NOT_HELD:
        return EACCES;
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL:
        return ENOSPC;
    case ERROR_WRITE_PROTECT:
        return EROFS;
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION:
        return EBUSY;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
        return ENOMEM;
    case ERROR_FILENAME_EXCED_RANGE:
        return ENAMETOOLONG;
    case ERROR_DIRECTORY:
        return ENOTDIR;
    case ERROR_CANT_ACCESS_FILE:
    case ERROR_CANT_RESOLVE_FILENAME:
        return ELOOP;
    default:
        return EIO;
    }
}

static int neg_last_error(void)
{
    return -errno_of(GetLastError());
}

/* UTF-8 path to UTF-16, '/' made '\\' (Wine and Windows accept both; FindFirstFileW needs a
   pattern in one style). */
static int widen(const char *in, wchar_t *out, size_t cap)
{
    int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, in, -1, out, (int)cap);
    if (n <= 0)
        return GetLastError() == ERROR_INSUFFICIENT_BUFFER ? -ENAMETOOLONG : -EINVAL;
    for (int i = 0; i < n; i++)
        if (out[i] == L'/')
            out[i] = L'\\';
    return 0;
}

/* Opens path without following a reparse point; refuses one (-ELOOP). dir: a directory. */
static HANDLE open_nofollow(const char *path, DWORD access, DWORD disposition, bool dir, int *err)
{
    wchar_t w[WPATH_CAP];
    *err = widen(path, w, WPATH_CAP);
    if (*err != 0)
        return INVALID_HANDLE_VALUE;
    DWORD flags = FILE_FLAG_OPEN_REPARSE_POINT | (dir ? FILE_FLAG_BACKUP_SEMANTICS : 0);
    HANDLE h = CreateFileW(w, access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                           disposition, FILE_ATTRIBUTE_NORMAL | flags, NULL);
    if (h == INVALID_HANDLE_VALUE) {
        *err = neg_last_error();
        return h;
    }
    /* The handle says what was opened; the name's own attributes are asked too, because Wine
       opens a directory through a Unix symbolic link and reports the link only there. */
    BY_HANDLE_FILE_INFORMATION info;
    DWORD by_name = GetFileAttributesW(w);
    if (!GetFileInformationByHandle(h, &info)) {
        *err = neg_last_error();
    } else if ((info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) ||
               (by_name != INVALID_FILE_ATTRIBUTES && (by_name & FILE_ATTRIBUTE_REPARSE_POINT))) {
        *err = -ELOOP;
    } else if (((info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0) != dir) {
        *err = dir ? -ENOTDIR : -EISDIR;
    }
    if (*err != 0) {
        CloseHandle(h);
        return INVALID_HANDLE_VALUE;
    }
    return h;
}

/* Our token's user and default owner, each copied into LocalAlloc'd memory. */
static bool token_sids(PSID *user, PSID *owner)
{
    HANDLE tok = NULL;
    bool ok = false;
    *user = *owner = NULL;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok))
        return false;
    union {
        TOKEN_USER u;
        TOKEN_OWNER o;
        unsigned char buf[512];
    } info;
    DWORD len = 0;
    if (GetTokenInformation(tok, TokenUser, &info, sizeof(info), &len)) {
        DWORD n = GetLengthSid(info.u.User.Sid);
        *user = LocalAlloc(LPTR, n);
        ok = *user != NULL && CopySid(n, *user, info.u.User.Sid);
    }
    if (ok && GetTokenInformation(tok, TokenOwner, &info, sizeof(info), &len)) {
        DWORD n = GetLengthSid(info.o.Owner);
        *owner = LocalAlloc(LPTR, n);
        ok = *owner != NULL && CopySid(n, *owner, info.o.Owner);
    }
    CloseHandle(tok);
    if (!ok) {
        LocalFree(*user);
        LocalFree(*owner);
        *user = *owner = NULL;
    }
    return ok;
}

static bool is_well_known(PSID sid, WELL_KNOWN_SID_TYPE type)
{
    return IsWellKnownSid(sid, type) != FALSE;
}

/* The owner-only descriptor: owner = user, protected DACL with one ACE (full access, inherited
   by files and folders created inside). */
static PSECURITY_DESCRIPTOR owner_only_sd(PSID user)
{
    wchar_t *ws = NULL;
    if (!ConvertSidToStringSidW(user, &ws))
        return NULL;
    wchar_t sddl[512];
    int n = _snwprintf(sddl, 512, L"O:%lsD:P(A;OICI;FA;;;%ls)", ws, ws);
    LocalFree(ws);
    PSECURITY_DESCRIPTOR sd = NULL;
    if (n <= 0 || n >= 512 ||
        !ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &sd, NULL))
        return NULL;
    return sd;
}

/* Who besides the owner, SYSTEM and Administrators may write to the directory: the first such
   ACE's trustee (as text) into who; false when nobody. */
static bool others_may_write(PACL dacl, PSID user, PSID owner, char *who, size_t cap)
{
    if (dacl == NULL) {
        snprintf(who, cap, "everyone (no DACL)");
        return true;
    }
    for (DWORD i = 0; i < dacl->AceCount; i++) {
        ACE_HEADER *ace = NULL;
        if (!GetAce(dacl, i, (void **)&ace) || ace->AceType != ACCESS_ALLOWED_ACE_TYPE ||
            (ace->AceFlags & INHERIT_ONLY_ACE) != 0)
            continue;
        ACCESS_ALLOWED_ACE *a = (ACCESS_ALLOWED_ACE *)ace;
        PSID sid = (PSID)&a->SidStart;
        if ((a->Mask & DIR_WRITE_RIGHTS) == 0 || EqualSid(sid, user) || EqualSid(sid, owner) ||
            is_well_known(sid, WinLocalSystemSid) ||
            is_well_known(sid, WinBuiltinAdministratorsSid) ||
            is_well_known(sid, WinCreatorOwnerSid) || is_well_known(sid, WinCreatorOwnerRightsSid))
            continue;
        wchar_t *ws = NULL;
        if (ConvertSidToStringSidW(sid, &ws)) {
            snprintf(who, cap, "%ls", ws);
            LocalFree(ws);
        } else {
            snprintf(who, cap, "an unknown account");
        }
        return true;
    }
    return false;
}

static int os_prepare_dir(void *ctx, const char *dir, char *msg, size_t msgcap)
{
    (void)ctx;
    PSID user = NULL, owner_default = NULL;
    if (!token_sids(&user, &owner_default)) {
        snprintf(msg, msgcap, "spool directory %s: cannot read this process's user", dir);
        return -EIO;
    }
    int rc = 0;
    PSECURITY_DESCRIPTOR mine = owner_only_sd(user);
    wchar_t w[WPATH_CAP];
    if (mine == NULL) {
        rc = -EIO;
        snprintf(msg, msgcap, "spool directory %s: cannot build its security descriptor", dir);
    } else if ((rc = widen(dir, w, WPATH_CAP)) != 0) {
        snprintf(msg, msgcap, "spool directory %s: bad path", dir);
    } else {
        SECURITY_ATTRIBUTES sa = {sizeof(sa), mine, FALSE};
        if (!CreateDirectoryW(w, &sa) && GetLastError() != ERROR_ALREADY_EXISTS) {
            rc = neg_last_error();
            snprintf(msg, msgcap, "cannot create spool directory %s: %s", dir, strerror(-rc));
        }
    }
    HANDLE h = INVALID_HANDLE_VALUE;
    if (rc == 0) {
        h = open_nofollow(dir, FILE_LIST_DIRECTORY | READ_CONTROL | WRITE_DAC, OPEN_EXISTING, true,
                          &rc);
        if (h == INVALID_HANDLE_VALUE)
            snprintf(msg, msgcap, "cannot open spool directory %s: %s%s", dir, strerror(-rc),
                     rc == -ELOOP || rc == -ENOTDIR
                         ? " (a link, junction or not a directory: refused)"
                         : "");
    }
    PSID owner = NULL;
    PACL dacl = NULL;
    PSECURITY_DESCRIPTOR sd = NULL;
    char who[200];
    if (rc == 0 &&
        GetSecurityInfo(h, SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
                        &owner, NULL, &dacl, NULL, &sd) != ERROR_SUCCESS) {
        rc = -EACCES;
        snprintf(msg, msgcap, "cannot read the security of spool directory %s", dir);
    } else if (rc == 0 &&
               (owner == NULL || (!EqualSid(owner, user) && !EqualSid(owner, owner_default)))) {
        rc = -EPERM;
        wchar_t *ws = NULL;
        snprintf(who, sizeof(who), "?");
        if (owner != NULL && ConvertSidToStringSidW(owner, &ws)) {
            snprintf(who, sizeof(who), "%ls", ws);
            LocalFree(ws);
        }
        snprintf(msg, msgcap,
                 "spool directory %s belongs to %s, not to the exporter's user: refused", dir, who);
    } else if (rc == 0 && others_may_write(dacl, user, owner_default, who, sizeof(who))) {
        rc = -EPERM;
        snprintf(msg, msgcap, "spool directory %s is writable by others (%s): refused", dir, who);
    } else if (rc == 0) {
        BOOL present = FALSE, defaulted = FALSE;
        PACL only = NULL;
        DWORD e =
            GetSecurityDescriptorDacl(mine, &present, &only, &defaulted)
                ? SetSecurityInfo(h, SE_FILE_OBJECT,
                                  DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
                                  NULL, NULL, only, NULL)
                : GetLastError();
        if (e != ERROR_SUCCESS) {
            rc = -errno_of(e);
            snprintf(msg, msgcap, "cannot make spool directory %s owner-only: %s", dir,
                     strerror(-rc));
        }
    }
    if (sd != NULL)
        LocalFree(sd);
    if (h != INVALID_HANDLE_VALUE)
        CloseHandle(h);
    LocalFree(mine);
    LocalFree(user);
    LocalFree(owner_default);
    return rc;
}

static int os_list(void *ctx, const char *dir, ad_spool_fs_name_cb cb, void *arg)
{
    (void)ctx;
    char pattern[WPATH_CAP];
    if (snprintf(pattern, sizeof(pattern), "%s\\*", dir) >= (int)sizeof(pattern))
        return -ENAMETOOLONG;
    wchar_t w[WPATH_CAP];
    int rc = widen(pattern, w, WPATH_CAP);
    if (rc != 0)
        return rc;
    WIN32_FIND_DATAW fd;
    HANDLE f = FindFirstFileW(w, &fd);
    if (f == INVALID_HANDLE_VALUE)
        return GetLastError() == ERROR_FILE_NOT_FOUND ? 0 : neg_last_error();
    do {
        char name[MAX_PATH * 4];
        if (wcscmp(fd.cFileName, L".") == 0 || wcscmp(fd.cFileName, L"..") == 0)
            continue;
        if (WideCharToMultiByte(CP_UTF8, 0, fd.cFileName, -1, name, (int)sizeof(name), NULL,
                                NULL) <= 0)
            continue; /* not a name the spool wrote */
        if (cb(arg, name) != 0)
            break;
    } while (FindNextFileW(f, &fd));
    FindClose(f);
    return 0;
}

static int os_open(void *ctx, const char *path, int mode)
{
    (void)ctx;
    bool create = (mode & AD_SPOOL_FS_CREATE) != 0;
    DWORD access = GENERIC_READ | (create || (mode & AD_SPOOL_FS_WRITE) ? GENERIC_WRITE : 0);
    int err = 0;
    HANDLE h = open_nofollow(path, access, create ? CREATE_NEW : OPEN_EXISTING, false, &err);
    if (h == INVALID_HANDLE_VALUE)
        return err;
    int fd = _open_osfhandle((intptr_t)h, 0);
    if (fd < 0) {
        CloseHandle(h);
        return -EMFILE;
    }
    return fd;
}

static HANDLE handle_of(int fd)
{
    return (HANDLE)_get_osfhandle(fd);
}

static int os_close(void *ctx, int fd)
{
    (void)ctx;
    return _close(fd) != 0 ? -EIO : 0;
}

/* A synchronous ReadFile/WriteFile at an offset (the file pointer is never used), at most
   1 GiB at a time. */
static OVERLAPPED at_offset(uint64_t at)
{
    OVERLAPPED ov = {0};
    ov.Offset = (DWORD)at;
    ov.OffsetHigh = (DWORD)(at >> 32);
    return ov;
}

static DWORD chunk_of(size_t left)
{
    return left > 0x40000000u ? 0x40000000u : (DWORD)left;
}

static long os_pread(void *ctx, int fd, void *buf, size_t n, uint64_t off)
{
    (void)ctx;
    HANDLE h = handle_of(fd);
    size_t done = 0;
    while (done < n) {
        OVERLAPPED ov = at_offset(off + done);
        DWORD got = 0;
        if (!ReadFile(h, (char *)buf + done, chunk_of(n - done), &got, &ov)) {
            if (GetLastError() == ERROR_HANDLE_EOF)
                break;
            return done > 0 ? (long)done : neg_last_error();
        }
        if (got == 0)
            break;
        done += got;
    }
    return (long)done;
}

static long os_pwrite(void *ctx, int fd, const void *buf, size_t n, uint64_t off)
{
    (void)ctx;
    HANDLE h = handle_of(fd);
    size_t done = 0;
    while (done < n) {
        OVERLAPPED ov = at_offset(off + done);
        DWORD put = 0;
        if (!WriteFile(h, (const char *)buf + done, chunk_of(n - done), &put, &ov))
            return done > 0 ? (long)done : neg_last_error();
        if (put == 0)
            break;
        done += put;
    }
    return (long)done;
}

static int os_fsync(void *ctx, int fd)
{
    (void)ctx;
    return FlushFileBuffers(handle_of(fd)) ? 0 : neg_last_error();
}

static int os_ftruncate(void *ctx, int fd, uint64_t len)
{
    (void)ctx;
    HANDLE h = handle_of(fd);
    LARGE_INTEGER at;
    at.QuadPart = (LONGLONG)len;
    if (!SetFilePointerEx(h, at, NULL, FILE_BEGIN) || !SetEndOfFile(h))
        return neg_last_error();
    return 0;
}

static int os_size(void *ctx, int fd, uint64_t *len)
{
    (void)ctx;
    HANDLE h = handle_of(fd);
    if (GetFileType(h) != FILE_TYPE_DISK)
        return -EINVAL;
    LARGE_INTEGER sz;
    if (!GetFileSizeEx(h, &sz))
        return neg_last_error();
    *len = (uint64_t)sz.QuadPart;
    return 0;
}

static int os_unlink(void *ctx, const char *path)
{
    (void)ctx;
    wchar_t w[WPATH_CAP];
    int rc = widen(path, w, WPATH_CAP);
    if (rc != 0)
        return rc;
    /* DeleteFileW removes a link itself, never its target. */
    if (DeleteFileW(w))
        return 0;
    DWORD e = GetLastError();
    return e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND ? 0 : -errno_of(e);
}

/*
 * Creations and removals: NTFS logs directory changes in its journal, and Windows offers no
 * fsync of a directory beyond FlushFileBuffers on a handle to it, which needs write access
 * and which some file systems refuse (ERROR_INVALID_FUNCTION, ERROR_ACCESS_DENIED): then the
 * journal is what makes them durable, and that is not an error.
 */
static int os_sync_dir(void *ctx, const char *dir)
{
    (void)ctx;
    int err = 0;
    HANDLE h = open_nofollow(dir, GENERIC_READ | GENERIC_WRITE, OPEN_EXISTING, true, &err);
    if (h == INVALID_HANDLE_VALUE)
        return err == -EACCES ? 0 : err;
    int rc = 0;
    if (!FlushFileBuffers(h)) {
        DWORD e = GetLastError();
        if (e != ERROR_INVALID_FUNCTION && e != ERROR_ACCESS_DENIED && e != ERROR_INVALID_PARAMETER)
            rc = -errno_of(e);
    }
    CloseHandle(h);
    return rc;
}

static const ad_spool_fs os_fs = {
    .prepare_dir = os_prepare_dir,
    .list = os_list,
    .open = os_open,
    .close = os_close,
    .pread = os_pread,
    .pwrite = os_pwrite,
    .fsync = os_fsync,
    .ftruncate = os_ftruncate,
    .size = os_size,
    .unlink = os_unlink,
    .sync_dir = os_sync_dir,
};

const ad_spool_fs *ad_spool_fs_os(void)
{
    return &os_fs;
}
#endif
