/*
 * The raw signing rate of a PKCS#11 token: C_SignInit + C_Sign with
 * CKM_RSA_PKCS over a SHA-256 DigestInfo, as fast as the token answers, on
 * one session per thread (bench/run's limit for token signing, issue 14).
 *
 *   p11-sign-speed MODULE TOKEN_LABEL KEY_ID_HEX SECONDS THREADS
 *
 * The PIN comes from $P11_SPEED_PIN (never from argv). Prints
 * "signatures N seconds S rate R" on stdout.
 */
#include <dlfcn.h>
#include <p11-kit/pkcs11.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static CK_FUNCTION_LIST *fl;
static CK_SLOT_ID slot;
static CK_BYTE key_id[64];
static CK_ULONG key_id_len;
static double seconds;

typedef struct {
    unsigned long count;
    int failed;
} worker;

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static CK_OBJECT_HANDLE find_key(CK_SESSION_HANDLE s)
{
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    CK_ATTRIBUTE tmpl[] = {{CKA_CLASS, &cls, sizeof cls}, {CKA_ID, key_id, key_id_len}};
    CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
    CK_ULONG n = 0;

    if (fl->C_FindObjectsInit(s, tmpl, 2) == CKR_OK) {
        (void)fl->C_FindObjects(s, &h, 1, &n);
        (void)fl->C_FindObjectsFinal(s);
    }
    return n == 1 ? h : CK_INVALID_HANDLE;
}

static void *sign_loop(void *arg)
{
    /* DigestInfo(SHA-256) of a constant digest: what a PAdES signature over RSA signs. */
    static const CK_BYTE prefix[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                     0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
    worker *w = arg;
    CK_BYTE info[sizeof prefix + 32], sig[1024];
    CK_MECHANISM mech = {CKM_RSA_PKCS, NULL, 0};
    CK_SESSION_HANDLE s;
    CK_OBJECT_HANDLE key;
    double end;

    memcpy(info, prefix, sizeof prefix);
    memset(info + sizeof prefix, 0xA5, 32);
    if (fl->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s) != CKR_OK ||
        (key = find_key(s)) == CK_INVALID_HANDLE) {
        w->failed = 1;
        return NULL;
    }
    end = now() + seconds;
    while (now() < end) {
        CK_ULONG len = sizeof sig;
        if (fl->C_SignInit(s, &mech, key) != CKR_OK ||
            fl->C_Sign(s, info, sizeof info, sig, &len) != CKR_OK) {
            w->failed = 1;
            break;
        }
        w->count++;
    }
    (void)fl->C_CloseSession(s);
    return NULL;
}

/* The slot holding the token labelled `label` (blank-padded to 32 in CK_TOKEN_INFO). */
static int find_slot(const char *label)
{
    CK_SLOT_ID slots[64];
    CK_ULONG n = 64;

    if (fl->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK)
        return 0;
    for (CK_ULONG i = 0; i < n; i++) {
        CK_TOKEN_INFO info;
        char padded[32];
        memset(padded, ' ', sizeof padded);
        memcpy(padded, label, strlen(label) < 32 ? strlen(label) : 32);
        if (fl->C_GetTokenInfo(slots[i], &info) == CKR_OK && memcmp(info.label, padded, 32) == 0) {
            slot = slots[i];
            return 1;
        }
    }
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if ((c | 32) >= 'a' && (c | 32) <= 'f')
        return (c | 32) - 'a' + 10;
    return -1;
}

static int setup(const char *module, const char *label, const char *hex)
{
    CK_C_GetFunctionList get;
    void *lib = dlopen(module, RTLD_NOW);
    CK_SESSION_HANDLE login;
    const char *pin = getenv("P11_SPEED_PIN");
    CK_C_INITIALIZE_ARGS init = {NULL, NULL, NULL, NULL, CKF_OS_LOCKING_OK, NULL}; /* threads */

    for (key_id_len = 0; key_id_len < 64 && hexval(hex[2 * key_id_len]) >= 0 &&
                         hexval(hex[2 * key_id_len + 1]) >= 0;
         key_id_len++)
        key_id[key_id_len] =
            (CK_BYTE)(hexval(hex[2 * key_id_len]) * 16 + hexval(hex[2 * key_id_len + 1]));
    if (key_id_len == 0 || lib == NULL ||
        (get = (CK_C_GetFunctionList)dlsym(lib, "C_GetFunctionList")) == NULL ||
        get(&fl) != CKR_OK || fl->C_Initialize(&init) != CKR_OK || !find_slot(label) || pin == NULL)
        return 0;
    /* Logging in on one session logs in the whole application (PKCS#11 2.40, 5.6). */
    return fl->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &login) == CKR_OK &&
           fl->C_Login(login, CKU_USER, (CK_UTF8CHAR *)pin, (CK_ULONG)strlen(pin)) == CKR_OK;
}

int main(int argc, char **argv)
{
    pthread_t tid[16];
    worker w[16];
    unsigned long total = 0;
    int threads;
    double start, took;

    if (argc != 6 || (threads = atoi(argv[5])) < 1 || threads > 16 ||
        (seconds = atof(argv[4])) <= 0) {
        fprintf(stderr, "usage: p11-sign-speed MODULE TOKEN_LABEL KEY_ID_HEX SECONDS THREADS "
                        "(PIN in $P11_SPEED_PIN)\n");
        return 2;
    }
    if (!setup(argv[1], argv[2], argv[3])) {
        fprintf(stderr, "p11-sign-speed: cannot open %s, token %s, or log in\n", argv[1], argv[2]);
        return 1;
    }
    memset(w, 0, sizeof w);
    start = now();
    for (int i = 0; i < threads; i++)
        pthread_create(&tid[i], NULL, sign_loop, &w[i]);
    for (int i = 0; i < threads; i++) {
        pthread_join(tid[i], NULL);
        if (w[i].failed) {
            fprintf(stderr, "p11-sign-speed: a signature failed\n");
            return 1;
        }
        total += w[i].count;
    }
    took = now() - start;
    printf("signatures %lu seconds %.3f rate %.1f\n", total, took, (double)total / took);
    (void)fl->C_Finalize(NULL);
    return 0;
}
