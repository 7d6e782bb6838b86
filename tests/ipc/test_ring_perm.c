/*
 * asimdns tests: operating-system permissions of the ring (Linux; runs as root, as in CI).
 *
 * Creates a group and two unprivileged users if missing (groupadd/useradd), removes them at
 * the end. The capture (this process, root) creates a ring for the group; then, in forked
 * children that switch to each user with setgroups/setgid/setuid:
 *  - a member of the group attaches, reads records and commits (writes the cursor), but
 *    cannot write, remap writable, chmod or remove the data object;
 *  - a user outside the group is refused with a message that says why;
 *  - another user cannot create a ring (or anything else) under the service's ring
 *    directory; a ring it forges in a directory of its own, even with a POSIX ACL that lets
 *    the exporter's user in, is refused by the exporter (directory owner, object owner, ACL);
 *  - objects planted under the ring's name are refused as squatting (and replaced when
 *    recreate is set), and a group-writable data object is refused.
 * The ring directory is this test's own (/run/adipc-perm-<pid>, root's, 0755).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <grp.h>
#include <pwd.h>
#include <sys/xattr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc/ring.h"
#include "ipc/ring_status.h"
#include "tests/ipc/ring_test_util.h"

#define GROUP_NAME "adipc-ring"
#define USER_IN "adipc-in"
#define USER_OUT "adipc-out"

static bool created_group, created_in, created_out;

static int run_tool(const char *a0, const char *a1, const char *a2, const char *a3, const char *a4,
                    const char *a5, const char *a6)
{
    char *argv[] = {(char *)a0, (char *)a1, (char *)a2, (char *)a3,
                    (char *)a4, (char *)a5, (char *)a6, NULL};
    pid_t pid = rt_spawn(argv);
    return pid > 0 ? rt_wait(pid, 60) : -1;
}

static int setup_accounts(void **state)
{
    (void)state;
    if (geteuid() != 0) {
        fprintf(stderr, "test_ring_perm must run as root (it creates users and switches to "
                        "them)\n");
        return -1;
    }
    if (getgrnam(GROUP_NAME) == NULL) {
        if (run_tool("/usr/sbin/groupadd", GROUP_NAME, NULL, NULL, NULL, NULL, NULL) != 0) {
            return -1;
        }
        created_group = true;
    }
    if (getpwnam(USER_IN) == NULL) {
        if (run_tool("/usr/sbin/useradd", "-M", "-s", "/usr/sbin/nologin", "-G", GROUP_NAME,
                     USER_IN) != 0) {
            return -1;
        }
        created_in = true;
    }
    if (getpwnam(USER_OUT) == NULL) {
        if (run_tool("/usr/sbin/useradd", "-M", "-s", "/usr/sbin/nologin", USER_OUT, NULL, NULL) !=
            0) {
            return -1;
        }
        created_out = true;
    }
    return 0;
}

static int teardown_accounts(void **state)
{
    rt_cleanup_rings(state);
    if (created_in) {
        run_tool("/usr/sbin/userdel", USER_IN, NULL, NULL, NULL, NULL, NULL);
    }
    if (created_out) {
        run_tool("/usr/sbin/userdel", USER_OUT, NULL, NULL, NULL, NULL, NULL);
    }
    if (created_group) {
        run_tool("/usr/sbin/groupdel", GROUP_NAME, NULL, NULL, NULL, NULL, NULL);
    }
    return 0;
}

/* In a child: become user (with the ring group as supplementary group when in_group). */
static void become(const char *user, bool in_group)
{
    struct passwd *pw = getpwnam(user);
    struct group *gr = getgrnam(GROUP_NAME);
    gid_t g;
    if (pw == NULL || gr == NULL) {
        _exit(90);
    }
    g = gr->gr_gid;
    if (setgroups(in_group ? 1 : 0, in_group ? &g : NULL) != 0 || setgid(pw->pw_gid) != 0 ||
        setuid(pw->pw_uid) != 0 || geteuid() != pw->pw_uid || setuid(0) == 0) {
        _exit(91);
    }
}

static void path_of(char *out, size_t cap, const char *name, const char *kind)
{
    rt_object_path(out, cap, name, kind);
}

/* Gives uid read+write on fd through a POSIX access ACL (what `setfacl -m u:UID:rw` does). */
static int grant_acl(int fd, uid_t uid)
{
    struct {
        uint16_t tag, perm;
        uint32_t id;
    } e[5] = {{0x01, 6, UINT32_MAX},
              {0x02, 6, (uint32_t)uid},
              {0x04, 6, UINT32_MAX},
              {0x10, 6, UINT32_MAX},
              {0x20, 0, UINT32_MAX}};
    uint8_t buf[4 + sizeof(e)];
    uint32_t version = 2;
    memcpy(buf, &version, 4);
    memcpy(buf + 4, e, sizeof(e));
    return fsetxattr(fd, "system.posix_acl_access", buf, sizeof(buf), 0);
}

/* Runs fn(name, msg_fd) in a child as user; returns its exit code, child messages in msg. */
static int as_user(const char *user, bool in_group, const char *name,
                   void (*fn)(const char *name, int msg_fd), char *msg, size_t msgcap)
{
    int fds[2];
    pid_t pid;
    ssize_t n;
    int rc;
    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        become(user, in_group);
        fn(name, fds[1]);
        _exit(99);
    }
    close(fds[1]);
    rc = rt_wait(pid, 30);
    n = read(fds[0], msg, msgcap - 1);
    msg[n > 0 ? n : 0] = '\0';
    close(fds[0]);
    return rc;
}

static void say(int fd, const char *text)
{
    if (write(fd, text, strlen(text)) < 0) {
        _exit(98);
    }
}

/* Member of the ring group: attach, read, commit; no way to write the data object. */
static void member_child(const char *name, int fd)
{
    ad_ring_consumer_config cc;
    ad_ring_consumer *c = NULL;
    ad_ring_view v[16];
    char msg[512], path[PATH_MAX + 128];
    size_t n = 0;
    int dfd;

    ad_ring_consumer_config_init(&cc, name);
    cc.expected_owner = "root";
    if (ad_ring_consumer_open(&cc, &c, msg, sizeof(msg)) != AD_OK) {
        say(fd, msg);
        _exit(10);
    }
    if (ad_ring_consumer_peek(c, v, 16, &n) != AD_OK || n != 5) {
        _exit(11);
    }
    for (size_t i = 0; i < n; i++) {
        if (!rt_payload_check(v[i].data, v[i].len, v[i].seq)) {
            _exit(12);
        }
    }
    if (ad_ring_consumer_commit(c, &v[n - 1]) != AD_OK) { /* writes the cursor object */
        _exit(13);
    }
    ad_ring_consumer_heartbeat(c, 1);
    path_of(path, sizeof(path), name, "data");
    if (open(path, O_RDWR | O_NOFOLLOW) >= 0 || errno != EACCES) {
        _exit(14); /* opening the data object for writing is denied */
    }
    dfd = open(path, O_RDONLY | O_NOFOLLOW);
    if (dfd < 0) {
        _exit(15);
    }
    if (mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, dfd, 0) != MAP_FAILED ||
        errno != EACCES) {
        _exit(16); /* and so is a writable shared mapping through a read-only descriptor */
    }
    if (fchmod(dfd, 0666) == 0 || ftruncate(dfd, 0) == 0) {
        _exit(17); /* not the owner: no chmod; not writable: no truncate */
    }
    if (unlink(path) == 0) {
        _exit(18); /* the ring directory is root's: nobody else removes (or adds) a name */
    }
    path_of(path, sizeof(path), name, "cursor");
    if (open(path, O_RDWR | O_NOFOLLOW) < 0) {
        _exit(19);
    }
    ad_ring_consumer_close(c);
    _exit(0);
}

/* Not in the group: attach is refused with an explanation; status cannot read it either. */
static void outsider_child(const char *name, int fd)
{
    ad_ring_consumer_config cc;
    ad_ring_consumer *c = NULL;
    ad_ring_status st;
    char msg[512];
    ad_err err;

    ad_ring_consumer_config_init(&cc, name);
    err = ad_ring_consumer_open(&cc, &c, msg, sizeof(msg));
    say(fd, msg);
    if (err != AD_EPERM) {
        _exit(20);
    }
    if (ad_ring_status_read(name, false, &st, msg, sizeof(msg)) != AD_EPERM) {
        _exit(21);
    }
    _exit(0);
}

/* Member again, but expecting the open to be refused (e.g. group-writable data). */
static void member_refused_child(const char *name, int fd)
{
    ad_ring_consumer_config cc;
    ad_ring_consumer *c = NULL;
    char msg[512];
    ad_ring_consumer_config_init(&cc, name);
    ad_err err = ad_ring_consumer_open(&cc, &c, msg, sizeof(msg));
    say(fd, msg);
    _exit(err == AD_EPERM ? 0 : 30);
}

/*
 * Another user tries to be the capture before the real one starts (at boot): run a producer
 * on the ring's name (data readable by all), or plant a file or a FIFO there. Every attempt
 * must fail: the directory is root's. Exit 0 when all were refused.
 */
static void squatter_child(const char *name, int fd)
{
    char path[PATH_MAX + 128], msg[512];
    ad_ring_config cfg;
    ad_ring_producer *p = NULL;
    ad_ring_config_init(&cfg, name);
    cfg.capacity = 65536;
    cfg.max_payload = 1024;
    cfg.data_mode = 0644;
    ad_err err = ad_ring_producer_open(&cfg, &p, msg, sizeof(msg));
    say(fd, msg);
    if (err == AD_OK) {
        _exit(40); /* a forged ring under the service's name */
    }
    path_of(path, sizeof(path), name, "cursor");
    if (open(path, O_RDWR | O_CREAT | O_EXCL, 0666) >= 0 || mkfifo(path, 0666) == 0) {
        _exit(41);
    }
    _exit(0);
}

/* The attacker's own directory: a ring forged there, with an ACL for the exporter's user. */
static char forge_dir[64];

static void forger_child(const char *name, int fd)
{
    char path[PATH_MAX + 128], msg[512];
    ad_ring_config cfg;
    ad_ring_producer *p = NULL;
    (void)fd;
    if (mkdir(forge_dir, 0755) != 0 || ad_ring_set_directory(forge_dir) != AD_OK) {
        _exit(50);
    }
    ad_ring_config_init(&cfg, name);
    cfg.capacity = 65536;
    cfg.max_payload = 1024;
    cfg.data_mode = 0644;
    if (ad_ring_producer_open(&cfg, &p, msg, sizeof(msg)) != AD_OK) {
        _exit(51);
    }
    for (uint64_t i = 0; i < 5; i++) {
        char forged[32] = "forged";
        uint64_t seq;
        if (ad_ring_producer_write(p, forged, sizeof(forged), &seq) != AD_OK) {
            _exit(52);
        }
    }
    const char *kinds[] = {"data", "cursor"};
    for (int i = 0; i < 2; i++) {
        path_of(path, sizeof(path), name, kinds[i]);
        int o = open(path, O_RDONLY | O_NOFOLLOW);
        if (o < 0 || grant_acl(o, getpwnam(USER_IN)->pw_uid) != 0) {
            _exit(53);
        }
        close(o);
    }
    ad_ring_producer_close(p);
    _exit(0);
}

/* The exporter's user, pointed at the forged ring, trusting victim_trusts as the ring owner:
   root (the default), or (misconfigured) the forger, when only the ACL gives it away. */
static const char *victim_trusts;

static void forged_victim_child(const char *name, int fd)
{
    ad_ring_consumer_config cc;
    ad_ring_consumer *c = NULL;
    char msg[512];
    if (ad_ring_set_directory(forge_dir) != AD_OK) {
        _exit(60);
    }
    ad_ring_consumer_config_init(&cc, name);
    cc.expected_owner = victim_trusts;
    ad_err err = ad_ring_consumer_open(&cc, &c, msg, sizeof(msg));
    say(fd, msg);
    _exit(err == AD_EPERM ? 0 : 61);
}

/* The capture's configuration in these tests: a small ring for the test group. */
static void ring_config(ad_ring_config *cfg, const char *name)
{
    ad_ring_config_init(cfg, name);
    cfg->capacity = 65536;
    cfg->max_payload = 1024;
    cfg->group = GROUP_NAME;
}

static void check_object(const char *name, const char *kind, unsigned mode, gid_t gid)
{
    char path[PATH_MAX + 160];
    struct stat st;
    path_of(path, sizeof(path), name, kind);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_uid, 0);
    assert_int_equal(st.st_gid, gid);
    assert_int_equal(st.st_mode & 07777, mode);
}

static void test_group_member_and_outsider(void **state)
{
    char name[64], msg[512];
    ad_ring_config cfg;
    ad_ring_producer *p = NULL;
    ad_ring_status st;
    gid_t gid = getgrnam(GROUP_NAME)->gr_gid;
    (void)state;

    rt_ring_name(name, sizeof(name), "perm");
    ring_config(&cfg, name);
    assert_int_equal(ad_ring_producer_open(&cfg, &p, msg, sizeof(msg)), AD_OK);
    check_object(name, "data", 0640, gid);
    check_object(name, "cursor", 0660, gid);
    for (int i = 0; i < 5; i++) {
        uint64_t seq = ad_ring_producer_next_seq(p);
        uint32_t len = rt_len_for_seq(seq, 16, 300);
        void *dst;
        assert_int_equal(ad_ring_producer_reserve(p, len, &dst, &seq), AD_OK);
        rt_payload_fill(dst, len, seq);
        ad_ring_producer_commit(p, len);
    }

    int rc = as_user(USER_IN, true, name, member_child, msg, sizeof(msg));
    if (rc != 0) {
        fail_msg("group member child exited %d: %s", rc, msg);
    }
    /* The member's commit reached capture through the cursor object. */
    assert_int_equal(ad_ring_status_read(name, false, &st, msg, sizeof(msg)), AD_OK);
    assert_int_equal(st.consumer_pos, ad_ring_producer_position(p));
    assert_int_equal(st.committed_seq, 5);
    assert_int_equal(st.exporter_attaches, 1);

    rc = as_user(USER_OUT, false, name, outsider_child, msg, sizeof(msg));
    print_message("outsider refused: %s\n", msg);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(msg, "permission denied"));
    assert_non_null(strstr(msg, GROUP_NAME));
    assert_non_null(strstr(msg, "member of the ring's group"));

    /* A group-writable data object is refused by the exporter ... */
    char path[PATH_MAX + 160];
    path_of(path, sizeof(path), name, "data");
    assert_int_equal(chmod(path, 0660), 0);
    rc = as_user(USER_IN, true, name, member_refused_child, msg, sizeof(msg));
    print_message("group-writable data refused: %s\n", msg);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(msg, "lets others write it"));
    /* ... and capture restores the configured modes when it re-attaches. */
    ad_ring_producer_close(p);
    p = NULL;
    assert_int_equal(ad_ring_producer_open(&cfg, &p, msg, sizeof(msg)), AD_OK);
    check_object(name, "data", 0640, gid);
    ad_ring_producer_close(p);
    assert_int_equal(ad_ring_unlink(name, false), AD_OK);
}

/* Issue scenario: an unprivileged user forges the ring before capture first starts. */
static void test_forged_ring_refused(void **state)
{
    char name[64], msg[512];
    ad_ring_config cfg;
    ad_ring_consumer_config cc;
    ad_ring_producer *p = NULL;
    ad_ring_consumer *c = NULL;
    gid_t gid = getgrnam(GROUP_NAME)->gr_gid;
    (void)state;

    rt_ring_name(name, sizeof(name), "forge");
    /* Under the service's directory, nothing of the forger's gets a name ... */
    int rc = as_user(USER_OUT, false, name, squatter_child, msg, sizeof(msg));
    print_message("forger refused: %s\n", msg);
    assert_int_equal(rc, 0);
    /* ... so the real capture starts normally, and the exporter gets the real ring. */
    ring_config(&cfg, name);
    assert_int_equal(ad_ring_producer_open(&cfg, &p, msg, sizeof(msg)), AD_OK);
    check_object(name, "data", 0640, gid);
    ad_ring_consumer_config_init(&cc, name);
    cc.expected_owner = "root";
    assert_int_equal(ad_ring_consumer_open(&cc, &c, msg, sizeof(msg)), AD_OK);
    ad_ring_consumer_close(c);
    ad_ring_producer_close(p);
    assert_int_equal(ad_ring_unlink(name, false), AD_OK);

    /* A ring forged in the attacker's own directory, with an ACL granting the exporter's
       user access (its mode bits still look right), is refused wherever the exporter looks. */
    snprintf(forge_dir, sizeof(forge_dir), "/tmp/adipc-forge-%ld", (long)getpid());
    assert_int_equal(as_user(USER_OUT, false, name, forger_child, msg, sizeof(msg)), 0);
    victim_trusts = "root";
    rc = as_user(USER_IN, true, name, forged_victim_child, msg, sizeof(msg));
    print_message("forged ring (trusting root): %s\n", msg);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(msg, "ring directory"));
    victim_trusts = USER_OUT;
    rc = as_user(USER_IN, true, name, forged_victim_child, msg, sizeof(msg));
    print_message("forged ring (trusting its owner): %s\n", msg);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(msg, "ACL"));
    char path[PATH_MAX + 160];
    const char *kinds[] = {"data", "cursor"};
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof(path), "%s/asimdns-%s-%s", forge_dir, name, kinds[i]);
        unlink(path);
    }
    assert_int_equal(rmdir(forge_dir), 0);
}

/* Root (or the capture's own user) planted objects of the wrong shape: refused, or replaced. */
static void test_squatted_name_refused(void **state)
{
    char name[64], msg[512], path[PATH_MAX + 160];
    ad_ring_config cfg;
    ad_ring_consumer_config cc;
    ad_ring_producer *p = NULL;
    ad_ring_consumer *c = NULL;
    gid_t gid = getgrnam(GROUP_NAME)->gr_gid;
    uid_t out_uid = getpwnam(USER_OUT)->pw_uid;
    (void)state;

    rt_ring_name(name, sizeof(name), "squat");
    const char *kinds[] = {"data", "cursor"};
    for (int i = 0; i < 2; i++) {
        path_of(path, sizeof(path), name, kinds[i]);
        int o = open(path, O_RDWR | O_CREAT | O_EXCL, 0666);
        assert_true(o >= 0);
        assert_int_equal(fchown(o, out_uid, (gid_t)-1), 0);
        assert_int_equal(fchmod(o, 0666), 0);
        assert_int_equal(ftruncate(o, 4096 + 65536), 0);
        close(o);
    }

    /* The exporter, told who capture is, refuses the planted objects ... */
    ad_ring_consumer_config_init(&cc, name);
    cc.expected_owner = "root";
    assert_int_equal(ad_ring_consumer_open(&cc, &c, msg, sizeof(msg)), AD_EPERM);
    assert_non_null(strstr(msg, "squatting"));
    /* ... and so does capture, unless told to replace them. */
    ring_config(&cfg, name);
    assert_int_equal(ad_ring_producer_open(&cfg, &p, msg, sizeof(msg)), AD_EPERM);
    print_message("squatted name refused: %s\n", msg);
    assert_non_null(strstr(msg, USER_OUT));
    assert_non_null(strstr(msg, "squatting"));
    cfg.recreate_on_mismatch = true;
    assert_int_equal(ad_ring_producer_open(&cfg, &p, msg, sizeof(msg)), AD_OK);
    check_object(name, "data", 0640, gid);
    check_object(name, "cursor", 0660, gid);
    assert_int_equal(ad_ring_consumer_open(&cc, &c, msg, sizeof(msg)), AD_OK);
    ad_ring_consumer_close(c);

    /* An ACL added to the capture's own object is refused too (the mode would not show it). */
    path_of(path, sizeof(path), name, "cursor");
    int o = open(path, O_RDONLY | O_NOFOLLOW);
    assert_true(o >= 0);
    assert_int_equal(grant_acl(o, out_uid), 0);
    close(o);
    assert_int_equal(ad_ring_consumer_open(&cc, &c, msg, sizeof(msg)), AD_EPERM);
    print_message("ACL refused: %s\n", msg);
    assert_non_null(strstr(msg, "ACL"));
    ad_ring_producer_close(p);
    assert_int_equal(ad_ring_unlink(name, false), AD_OK);
}

static char ring_dir[64];

static int setup_all(void **state)
{
    snprintf(ring_dir, sizeof(ring_dir), "/run/adipc-perm-%ld", (long)getpid());
    if (ad_ring_set_directory(ring_dir) != AD_OK) {
        return -1;
    }
    return setup_accounts(state);
}

static int teardown_all(void **state)
{
    rt_cleanup_rings(state);
    rmdir(ring_dir);
    return teardown_accounts(state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_group_member_and_outsider),
        cmocka_unit_test(test_squatted_name_refused),
        cmocka_unit_test(test_forged_ring_refused),
    };
    return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
