/* asimdns tests: spool_test_os.h on Windows (run under Wine by ctest). */
#include "spool_test_os.h"

#include <windows.h>
#include <aclapi.h>
#include <sddl.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "exporter/spool.h"
#include "tests/support/test_os.h"

void spool_test_base(char *buf, size_t cap)
{
    /* Wine maps / to drive Z:; its tmpfs keeps the thousands of fsyncs of the fault tests
       cheap. On Windows itself: the temporary folder. */
    DWORD a = GetFileAttributesA("Z:\\dev\\shm");
    if (test_os_under_wine() && a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY)) {
        snprintf(buf, cap, "Z:\\dev\\shm");
        return;
    }
    char tmp[MAX_PATH + 1];
    DWORD n = GetTempPathA(sizeof(tmp), tmp);
    if (n == 0 || n >= sizeof(tmp))
        snprintf(tmp, sizeof(tmp), ".\\");
    tmp[strcspn(tmp, "\0")] = '\0';
    size_t len = strlen(tmp);
    if (len > 0 && tmp[len - 1] == '\\')
        tmp[len - 1] = '\0';
    snprintf(buf, cap, "%s", tmp);
}

/*
 * Wine emulates file security on Unix modes: it creates every directory with mode 0777
 * whatever DACL CreateDirectoryW asks for, ignores SetSecurityInfo on it, and reports mode
 * 0777 as "Everyone may write". spool_fs_win32.c therefore (rightly) refuses, at the second
 * open, a directory it made itself. Under Wine the fault tests, which exercise the file
 * operations, not the directory's security, prepare the directory with a plain
 * CreateDirectoryA; test_directory_created_private_and_checked covers prepare_dir.
 */
static int wine_prepare_dir(void *ctx, const char *dir, char *msg, size_t cap)
{
    (void)ctx;
    if (CreateDirectoryA(dir, NULL) || GetLastError() == ERROR_ALREADY_EXISTS)
        return 0;
    snprintf(msg, cap, "cannot create %s", dir);
    return -5; /* EIO */
}

void spool_test_fs_adjust(struct ad_spool_fs *fs)
{
    if (test_os_under_wine())
        fs->prepare_dir = wine_prepare_dir;
}

int spool_test_rmdir(const char *dir)
{
    return RemoveDirectoryA(dir) ? 0 : -1;
}

/* Removes a flat directory (or a link to one) and what is in it. */
static void rm_dir(const char *dir)
{
    char pat[600];
    snprintf(pat, sizeof(pat), "%s\\*", dir);
    WIN32_FIND_DATAA fd;
    DWORD a = GetFileAttributesA(dir);
    if (a != INVALID_FILE_ATTRIBUTES && !(a & FILE_ATTRIBUTE_REPARSE_POINT)) {
        HANDLE f = FindFirstFileA(pat, &fd);
        if (f != INVALID_HANDLE_VALUE) {
            do {
                char p[900];
                snprintf(p, sizeof(p), "%s\\%s", dir, fd.cFileName);
                if (strcmp(fd.cFileName, ".") != 0 && strcmp(fd.cFileName, "..") != 0)
                    DeleteFileA(p);
            } while (FindNextFileA(f, &fd));
            FindClose(f);
        }
    }
    RemoveDirectoryA(dir);
}

static PSID token_user(void)
{
    static unsigned char buf[512];
    HANDLE tok;
    DWORD len = 0;
    assert_true(OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok));
    assert_true(GetTokenInformation(tok, TokenUser, buf, sizeof(buf), &len));
    CloseHandle(tok);
    return ((TOKEN_USER *)buf)->User.Sid;
}

/* A directory made with the given SDDL descriptor. */
static void mkdir_sddl(const char *dir, const wchar_t *sddl)
{
    PSECURITY_DESCRIPTOR sd = NULL;
    assert_true(
        ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &sd, NULL));
    SECURITY_ATTRIBUTES sa = {sizeof(sa), sd, FALSE};
    assert_true(CreateDirectoryA(dir, &sa));
    LocalFree(sd);
}

/* Windows only: a new directory gets the owner-only protected DACL; one that others may only
   read is accepted and made owner-only. */
static void private_dir_checks(const char *dir, const ad_spool_opts *o)
{
    ad_spool *sp = NULL;
    char msg[256];
    assert_int_equal(ad_spool_open(o, &sp, msg, sizeof(msg)), AD_OK);
    ad_spool_close(sp);
    /* Created private: owner = our user, a protected DACL with one ACE, for that user. */
    PSID owner = NULL;
    PACL dacl = NULL;
    PSECURITY_DESCRIPTOR sd = NULL;
    assert_int_equal(GetNamedSecurityInfoA(dir, SE_FILE_OBJECT,
                                           OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
                                           &owner, NULL, &dacl, NULL, &sd),
                     ERROR_SUCCESS);
    assert_non_null(dacl);
    assert_true(EqualSid(owner, token_user()));
    SECURITY_DESCRIPTOR_CONTROL ctl = 0;
    DWORD rev = 0;
    assert_true(GetSecurityDescriptorControl(sd, &ctl, &rev));
    assert_true(ctl & SE_DACL_PROTECTED);
    assert_int_equal(dacl->AceCount, 1);
    ACCESS_ALLOWED_ACE *ace = NULL;
    assert_true(GetAce(dacl, 0, (void **)&ace));
    assert_true(EqualSid((PSID)&ace->SidStart, token_user()));
    LocalFree(sd);
    rm_dir(dir);

    /* Readable by Everyone only: accepted, and made owner-only. */
    wchar_t *me = NULL, sddl[300];
    assert_true(ConvertSidToStringSidW(token_user(), &me));
    _snwprintf(sddl, 300, L"D:P(A;OICI;FA;;;%ls)(A;OICI;FR;;;WD)", me);
    LocalFree(me);
    mkdir_sddl(dir, sddl);
    assert_int_equal(ad_spool_open(o, &sp, msg, sizeof(msg)), AD_OK);
    ad_spool_close(sp);
    assert_int_equal(GetNamedSecurityInfoA(dir, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, NULL,
                                           NULL, &dacl, NULL, &sd),
                     ERROR_SUCCESS);
    assert_int_equal(dacl->AceCount, 1);
    LocalFree(sd);
    rm_dir(dir);
}

void test_directory_created_private_and_checked(void **state)
{
    (void)state;
    const char *writable = getenv("SPOOL_TEST_WRITABLE"), *link = getenv("SPOOL_TEST_LINK");
    if (test_os_under_wine() && (writable == NULL || link == NULL)) {
        /* Wine ignores the DACL a directory is created with (it makes it from the Unix mode)
           and its CreateSymbolicLinkA makes a plain directory: under Wine these checks run
           in exporter_spool_dir_wine (spool_dir_wine.sh), whose directories come from Linux. */
        print_message("under Wine: see exporter_spool_dir_wine\n");
        return;
    }
    char base[300], dir[400], target[500];
    spool_test_base(base, sizeof(base));
    snprintf(dir, sizeof(dir), "%s\\spool-dir-test-%ld", base, test_os_pid());
    snprintf(target, sizeof(target), "%s-target", dir);
    rm_dir(dir);
    ad_spool_opts o = {.dir = dir, .max_bytes = 1u << 20};
    ad_spool *sp = NULL;
    char msg[256];
    if (!test_os_under_wine())
        private_dir_checks(dir, &o);

    /* Writable by Everyone: refused. */
    if (writable == NULL) {
        mkdir_sddl(dir, L"D:P(A;OICI;FA;;;WD)");
        writable = dir;
    }
    o.dir = writable;
    assert_int_equal(ad_spool_open(&o, &sp, msg, sizeof(msg)), AD_EPERM);
    assert_non_null(strstr(msg, "writable"));
    rm_dir(dir);

    /* A directory symbolic link in the directory's place: refused, not followed. */
    if (link == NULL) {
        rm_dir(target);
        assert_true(CreateDirectoryA(target, NULL));
        assert_true(CreateSymbolicLinkA(dir, target, SYMBOLIC_LINK_FLAG_DIRECTORY));
        link = dir;
    }
    o.dir = link;
    assert_int_not_equal(ad_spool_open(&o, &sp, msg, sizeof(msg)), AD_OK);
    assert_non_null(strstr(msg, "link"));
    if (link == dir) {
        RemoveDirectoryA(dir);
        rm_dir(target);
    }
}
