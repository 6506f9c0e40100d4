/*
 * OCSP responses and CRLs: any bytes must be checked or refused cleanly by
 * lsi_ocsp_check and lsi_crl_check. What is accepted must be exactly the
 * input, with a signer and a known status; what is refused leaves nothing
 * behind. The certificates are a snapshot of tests/pki/make-pki.sh, embedded
 * so the target needs no files; corpus/ocsp_crl/ was answered by that PKI (see
 * fuzz/README.md), and the time checked is fixed, so runs are reproducible.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "libsign/error.h"
#include "revocation/internal.h"
#include "revocation/revocation.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 2026-11-29 12:00:00 UTC: an hour after the seeds were made, within their validity. */
#define FUZZ_AT INT64_C(1795953600)

/* root CA, issuing CA, signer-rsa2048, signer-revoked, OCSP responder. */
static const char pki_pem[] =
    /* root-ca.crt */
    "-----BEGIN CERTIFICATE-----\n"
    "MIIElDCCAvygAwIBAgIUfPZrPgUq1Iwk1P6biOEv8wKX17MwDQYJKoZIhvcNAQEL\n"
    "BQAwYjELMAkGA1UEBhMCVk4xNDAyBgNVBAoMK0JhbiBDxqEgeeG6v3UgQ2jDrW5o\n"
    "IHBo4bunICh0aOG7rSBuZ2hp4buHbSkxHTAbBgNVBAMMFGxpYnNpZ24gVGVzdCBS\n"
    "b290IENBMB4XDTI2MTEyOTEwNTgwMloXDTQ2MTEyNDEwNTgwMlowYjELMAkGA1UE\n"
    "BhMCVk4xNDAyBgNVBAoMK0JhbiBDxqEgeeG6v3UgQ2jDrW5oIHBo4bunICh0aOG7\n"
    "rSBuZ2hp4buHbSkxHTAbBgNVBAMMFGxpYnNpZ24gVGVzdCBSb290IENBMIIBojAN\n"
    "BgkqhkiG9w0BAQEFAAOCAY8AMIIBigKCAYEAypCs5DAKc9HrRV5e0v9JSll3nbxF\n"
    "WL+kHMFcmfB9C0P59T3zfkGVPB4hGyeXcOC4CA1I7QBHNSBt2mrHv/ce+2ZFVDfb\n"
    "tfaugPRZvGefxdKiTFOKvAZmwBV+3zo2tSlupa/+RcI/C25e3dYRx+l0KnXEmRlY\n"
    "qIBq52xgsSbIDgW+ncNXpLf366TQO6uy+E1nqIWGw+sBRqhIgYAfAgsM+LefE1kt\n"
    "4YYYGx4/E+hsbWXTB1xhutbWxNaD679kpfFS/4iBKVH2S+AmG5shJ3xuFwqQODru\n"
    "Kd/OlNQSMHZR9uxjJb3vnV0X1SUblr0tlfmPtU70AhgEMT+5KG9/X4s9UyI0nGqF\n"
    "DeM8YU+qpb7XPs0BEdwjUxKiAvtIo40cPTTj9NCZZCJHM/+g/lCNfZq3vyf4CZQ/\n"
    "XYGm9vRysttLpzvPvvl5Zg31oei58MWvCiUuI0qNH0YtCMldg66neBF7afYvoHTc\n"
    "25hTBxK6DXKGp3SGBKH26J7Hhsm3k7LKqot9AgMBAAGjQjBAMA8GA1UdEwEB/wQF\n"
    "MAMBAf8wDgYDVR0PAQH/BAQDAgEGMB0GA1UdDgQWBBRWqQoJ2Db/bgtLb9DoGe0j\n"
    "1vsPjjANBgkqhkiG9w0BAQsFAAOCAYEABu85la35WgT6TB9eFSEHs2NnhaP/etWw\n"
    "24Gtmu5y8Q1dMss7XJDdV5/2bfzEng9oCHFwXpnv46868Pmh97VEf/uUAHKlCvon\n"
    "QYhspQBnLBa6CrGcmMhklqouijlJsQIGkcHILgfelzh3N6gU9zze7n0DylvydmmS\n"
    "wPp/gy/m7LDfy4RbxW8ZezC/FXfqOgTx7+IWteFGz5gLALGgFB3ugmispV9j2m7/\n"
    "JjMOzLkkeCNo43A60an/XYJSawXJ421SbjLkmqpltodHoA80C5hii5O+q7cQRApP\n"
    "7oTygy5LkPqKldNKy2t1HaabkDlLxZHK39SLjn6f8dXZIdrFvfi3v2weW+S5/gXE\n"
    "Fry+9D/OLpUIEEx57tuxQzIz6IrME8IFTJf65broqZYqGeB4x4NEY01GTLhERFN1\n"
    "caV6Y0xm13J9UEnebwUwnCNsP4fw3TgHoVZyjMpdJf7XyiTz6kugvZFi/y3CadSh\n"
    "R4c6QvhJZs71D4W1M3ZLCbyt9x1GfuVP\n"
    "-----END CERTIFICATE-----\n"
    /* inter-ca.crt */
    "-----BEGIN CERTIFICATE-----\n"
    "MIIEKTCCApGgAwIBAgICEAAwDQYJKoZIhvcNAQELBQAwYjELMAkGA1UEBhMCVk4x\n"
    "NDAyBgNVBAoMK0JhbiBDxqEgeeG6v3UgQ2jDrW5oIHBo4bunICh0aOG7rSBuZ2hp\n"
    "4buHbSkxHTAbBgNVBAMMFGxpYnNpZ24gVGVzdCBSb290IENBMB4XDTI2MTEyOTEw\n"
    "NTgwMloXDTM2MTEyNjEwNTgwMlowZTELMAkGA1UEBhMCVk4xNDAyBgNVBAoMK0Jh\n"
    "biBDxqEgeeG6v3UgQ2jDrW5oIHBo4bunICh0aOG7rSBuZ2hp4buHbSkxIDAeBgNV\n"
    "BAMMF2xpYnNpZ24gVGVzdCBJc3N1aW5nIENBMIIBIjANBgkqhkiG9w0BAQEFAAOC\n"
    "AQ8AMIIBCgKCAQEAo2iorgP+C0C39QwXK0yc6uGHaamZFsn284i4uvqjBOXTQJzU\n"
    "nuyudmEZxDgPdgNqWO1vt6i9TqT1/JQG6Ugy2XKkMfqGYBG6t08f+q6ZyH0/N/lv\n"
    "XAsKAiQD8r3AaS26r1+ZEgZAs/m/jq7Qlb/YK15Vw3+bLNL4dMJFGrpkRZ9RuYA6\n"
    "6tt+EsfWSzaS7FbUzQq/D90c8ZX6RnfQ1Ti1jfVxexaw6XNhOYm61WYEeIvKR69h\n"
    "2XHO68JqmBey2hnlqIZwI4MuxXq1unTnq0G08c+PfCcRzlNiZ/4F/Q88xyIeYtOC\n"
    "KIKJtVSJVh7jfJTYyosoyN5beZV94hLE31WngQIDAQABo2YwZDASBgNVHRMBAf8E\n"
    "CDAGAQH/AgEAMA4GA1UdDwEB/wQEAwIBBjAdBgNVHQ4EFgQUUNcBQucr+U19nB4N\n"
    "ZgR1K15Y7iUwHwYDVR0jBBgwFoAUVqkKCdg2/24LS2/Q6BntI9b7D44wDQYJKoZI\n"
    "hvcNAQELBQADggGBAE+/U7J9ASYgMJUfrszUkM39tJcN3sxCb4AjtUtCNNpblakc\n"
    "pl3K8fDUKo6ZfcgtuxCIerSMnBjU/5TeVuycWo4o4drr7HY5THvmLG/Fjsp2FyVc\n"
    "Q0QcSzmD2N/DpuBdl2C9GeBSmoDw74IDF3ln/WUgAffU2mqiEXrh2sa44uvR385q\n"
    "R2xsm+xt0myYOUxmTecWXH2l0nTPEz1c+gOcmrBFQZHiWy+Rwj8/fx8ClH6hUq22\n"
    "uP+SssJxtJaDTn3jXKt7H+AesDiyLO5Z5fTb0EBcJIPrtOLBo8B5j92S/IQVjkL1\n"
    "PkSDse5sA/xBKQpNLoX3lFg8xgW124EUetklLijpIngJjTlQJcEYIu5tZVz7n7gP\n"
    "gXmi9CbQqAaEYfk/XELc8dHuuRnQpN5NZtuFHVILmE/Af7wugz8lReHZ+ossdyKm\n"
    "DH9XUgB1OiVsLtJZtPTjywE339a94Vjp/ywIP4lS6SNBt2IkHgdToDXVzroi6UH4\n"
    "U883pUaXjsjsHcB1/Q==\n"
    "-----END CERTIFICATE-----\n"
    /* signer-rsa2048.crt */
    "-----BEGIN CERTIFICATE-----\n"
    "MIIEHzCCAwegAwIBAgICEAAwDQYJKoZIhvcNAQELBQAwZTELMAkGA1UEBhMCVk4x\n"
    "NDAyBgNVBAoMK0JhbiBDxqEgeeG6v3UgQ2jDrW5oIHBo4bunICh0aOG7rSBuZ2hp\n"
    "4buHbSkxIDAeBgNVBAMMF2xpYnNpZ24gVGVzdCBJc3N1aW5nIENBMB4XDTI2MTEy\n"
    "ODEwNTgwMloXDTMxMTEyOTEwNTgwMlowgbsxCzAJBgNVBAYTAlZOMRQwEgYDVQQI\n"
    "DAvEkMOgIE7hurVuZzEUMBIGA1UEBwwLxJDDoCBO4bq1bmcxKjAoBgNVBAoMIeG7\n"
    "pnkgYmFuIG5ow6JuIGTDom4geMOjIENow60gTWluaDEUMBIGA1UECwwLVsSDbiBw\n"
    "aMOybmcxGzAZBgNVBAMMEk5ndXnhu4VuIFbEg24gw4FuaDEhMB8GCgmSJomT8ixk\n"
    "AQEMEUNDQ0Q6MDAxMDgwMDEyMzQ1MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIB\n"
    "CgKCAQEAtVDrDRc6xR7tNMf61/IzsGd8rJakGb5YgLnhxcK+CHyZumdhJrIca+01\n"
    "DDQ0bmwtzHPMIJv/3voBaFYTMWgXfCLDcUzeSfi66KyYFiuuYfOC6PiBS1++TO6T\n"
    "fDBNa+ViIfUBK2A3KtsVnzu1cWt+f5vudM7Qi2+Llt+WlgKiH428jV8HLnATRNRN\n"
    "OW3kd98RECY+x/wGIfXNT73b3K8GRW01CDzcAggosU3pFGHLBASHaHxRVCViy3Ak\n"
    "LV214Km+yGuhDGKdzsNIUBqaWrYe9I4PBW4NyqtkaNQyaDX/H+ysoyqtLo10Cu3v\n"
    "nxVsEV8mPw0Mr5N7UGF+n4fFy81SNQIDAQABo4GBMH8wDAYDVR0TAQH/BAIwADAO\n"
    "BgNVHQ8BAf8EBAMCBsAwHwYDVR0lBBgwFgYIKwYBBQUHAwQGCisGAQQBgjcKAwww\n"
    "HQYDVR0OBBYEFGbAfOozYxDywIW3tm7YgSQ2gkbrMB8GA1UdIwQYMBaAFFDXAULn\n"
    "K/lNfZweDWYEdSteWO4lMA0GCSqGSIb3DQEBCwUAA4IBAQCVfj6czN0taGcoRPQH\n"
    "9Nn9RTGZPpEcoF+ToCHv0l7XylEnprsj10re/Q9TWkJuDn/LTnvN8OhlWNJth8cz\n"
    "XkemLtrPILd+ybvhL/v5zF5t3zDjqlqzxuYymPMjjl9L+e2cDjeoILewU3ajtZF9\n"
    "1eCWGr7779dDZMKF4lahmsAkawRSSA1VCfc68gZ01dQd4REX/1faZAS6ufG4CtXM\n"
    "dH2M1HTMkcyfgV2OUKC8pm/601iLGDtU8jMGX3GqLiFEulsi6dG3UAsJewrFeLJ6\n"
    "jIn8JMTssVpPdirO5Q7fc0n6VxsDmj1G9cECoUUhi38Onlw3akVp2j3oxAwr8LfF\n"
    "pcqe\n"
    "-----END CERTIFICATE-----\n"
    /* signer-revoked.crt */
    "-----BEGIN CERTIFICATE-----\n"
    "MIIEIjCCAwqgAwIBAgICEAMwDQYJKoZIhvcNAQELBQAwZTELMAkGA1UEBhMCVk4x\n"
    "NDAyBgNVBAoMK0JhbiBDxqEgeeG6v3UgQ2jDrW5oIHBo4bunICh0aOG7rSBuZ2hp\n"
    "4buHbSkxIDAeBgNVBAMMF2xpYnNpZ24gVGVzdCBJc3N1aW5nIENBMB4XDTI2MTEy\n"
    "ODEwNTgwMloXDTMxMTEyOTEwNTgwMlowgb4xCzAJBgNVBAYTAlZOMRQwEgYDVQQI\n"
    "DAvEkMOgIE7hurVuZzEUMBIGA1UEBwwLxJDDoCBO4bq1bmcxKjAoBgNVBAoMIeG7\n"
    "pnkgYmFuIG5ow6JuIGTDom4geMOjIENow60gTWluaDEUMBIGA1UECwwLVsSDbiBw\n"
    "aMOybmcxHjAcBgNVBAMMFVBo4bqhbSBWxINuIFRodSBI4buTaTEhMB8GCgmSJomT\n"
    "8ixkAQEMEUNDQ0Q6MDAxMDgwMDEyMzQ4MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A\n"
    "MIIBCgKCAQEAwaKljhJRmorDZr/hj+YIHsnmYWTwoLgDsaF/cfTacwkeX4rFWHHo\n"
    "UQK6aIqYKCftYpSqWAPW4Zj/zhHJmCSesdW2KVmSo1Gugva/xfDREjGon2rczAx1\n"
    "eumtCvL3Xdwv/cc6FQknJ6pNe33AaOjjhIlP1dPhDf35uTWbmhD3JMQwJsc/rt8n\n"
    "0r7vJO1MvvFuRe1sY197tQWq2lovn8e34p0X01TVonYWn056l4yRC3S8O5qQGL0I\n"
    "GT9xykQgIf3rIJbgHY+UKVfaR+o89z9eo/69ekx6dBauqAuDi8wsBLw9ukHWymA3\n"
    "XxRKlQ0lStOHApFxJhSIYAQPs1C+G9XW5QIDAQABo4GBMH8wDAYDVR0TAQH/BAIw\n"
    "ADAOBgNVHQ8BAf8EBAMCBsAwHwYDVR0lBBgwFgYIKwYBBQUHAwQGCisGAQQBgjcK\n"
    "AwwwHQYDVR0OBBYEFITvfbRo5sL1JEAIe7tLPA0u+zsaMB8GA1UdIwQYMBaAFFDX\n"
    "AULnK/lNfZweDWYEdSteWO4lMA0GCSqGSIb3DQEBCwUAA4IBAQBmaezGu6nE8ikk\n"
    "QDqxLzrqZHoeebzRE/04T7eBtfUofBOUrQLZ18H+sn3v4oHgFOF34BZ0UTfq1UMy\n"
    "fYuiwiOAsqaClIMvlzPTihpKyyr1fEZHmwUhmSjHbfrCZtG1PstwwcS77jY1vyPO\n"
    "YpeBKacDfAU8SNArDYWN4HY6MTWY3NKBjqhK6jkZTNrhEZTE1lkEiL/8OhNghxdw\n"
    "qvn3hTo1MiddVcp+YtbUBhtNA7n2Fld75qR2/Iycm6IBkgB8gr77YW+u0Vwd9Jrl\n"
    "rE8TErhCVdm8Vjdy68I4JW4XGHJuJ3ylZt3kN44r35deR3PGArxA/sp4WvbEcpjM\n"
    "cOKruca8\n"
    "-----END CERTIFICATE-----\n"
    /* ocsp.crt */
    "-----BEGIN CERTIFICATE-----\n"
    "MIID0jCCArqgAwIBAgICEAYwDQYJKoZIhvcNAQELBQAwZTELMAkGA1UEBhMCVk4x\n"
    "NDAyBgNVBAoMK0JhbiBDxqEgeeG6v3UgQ2jDrW5oIHBo4bunICh0aOG7rSBuZ2hp\n"
    "4buHbSkxIDAeBgNVBAMMF2xpYnNpZ24gVGVzdCBJc3N1aW5nIENBMB4XDTI2MTEy\n"
    "ODEwNTgwMloXDTMxMTEyOTEwNTgwMlowaTELMAkGA1UEBhMCVk4xNDAyBgNVBAoM\n"
    "K0JhbiBDxqEgeeG6v3UgQ2jDrW5oIHBo4bunICh0aOG7rSBuZ2hp4buHbSkxJDAi\n"
    "BgNVBAMMG2xpYnNpZ24gVGVzdCBPQ1NQIFJlc3BvbmRlcjCCASIwDQYJKoZIhvcN\n"
    "AQEBBQADggEPADCCAQoCggEBAIW/7u7ktMNR2yPt/1iIIr47Wjj9PvwMGRSG0jbe\n"
    "sfLf60PkJeOyE51asqToi8wU/M31SXttZKQSbORoeuft2RDgdO7D/oW5FiE50MdL\n"
    "tiEB7MibXT6NFox4DoU5nXc578dqbzsdFJOp+4BNNqOTBAe+dNYlML2eUMuWSS7/\n"
    "tgKWmOywSGYD0je/OhTyJp8/Rv32r5AmUrfBYbWOvlF44IjXy8haSVa+/azZTheA\n"
    "JkGy+h8nQ1kjd7MQutqXEqvnJnuEhjjWeky4N6WnZkfme6S/7gXBWiHAXmNx9XKI\n"
    "c/idxt+2fSZmZWdJTYDaN77Gq+9DDHbMWJTM18VIPnO354MCAwEAAaOBhzCBhDAM\n"
    "BgNVHRMBAf8EAjAAMA4GA1UdDwEB/wQEAwIHgDATBgNVHSUEDDAKBggrBgEFBQcD\n"
    "CTAPBgkrBgEFBQcwAQUEAgUAMB0GA1UdDgQWBBTPoMWtyzwnvAF8izPP46FyU4iK\n"
    "lzAfBgNVHSMEGDAWgBRQ1wFC5yv5TX2cHg1mBHUrXljuJTANBgkqhkiG9w0BAQsF\n"
    "AAOCAQEAeN1tey5YyCSJJ2STPsqhfeoAZR+7ETbwTuHoGBcS8pXWXiOPXNBN47+t\n"
    "UscKMYBKO+hyPwrlrioQcdPybfOnHMC4OI9qAmGu6fbxJ8wxrUDWDiCtVsTQEVum\n"
    "sxW7u7jeT6inlu+0aGeED3Zx6eJj0IxL+7PEjzowEEL6XAVOOe7gVNbo3i0ZhltM\n"
    "5YUMMa063F4xNprFChSrw7sCDAxCTqcQBjbY+zpBW7E+Y2B8RS3no7/T9F6UhjUt\n"
    "UFuo3DbcS9xFXYdZmNuJH37KeZcV3jao7KU8GWCievUgUhInM1lmIlmPIF8W3u53\n"
    "+CJr6x6j9jZK3jSPZuXQpoZhBLby6g==\n"
    "-----END CERTIFICATE-----\n";

enum { ROOT, INTER, SIGNER, REVOKED, RESPONDER, NCERTS };

typedef struct fuzz_pki {
    X509 *certs[NCERTS];
    X509_STORE *store;          /* the root */
    STACK_OF(X509) * untrusted; /* the issuing CA and the responder */
} fuzz_pki;

static void load(fuzz_pki *p)
{
    BIO *bio = BIO_new_mem_buf(pki_pem, (int)sizeof pki_pem - 1);

    for (int i = 0; i < NCERTS; i++)
        if ((p->certs[i] = PEM_read_bio_X509(bio, NULL, NULL, NULL)) == NULL)
            abort();
    BIO_free(bio);
    p->store = X509_STORE_new();
    p->untrusted = sk_X509_new_null();
    if (p->store == NULL || !X509_STORE_add_cert(p->store, p->certs[ROOT]) ||
        p->untrusted == NULL || !sk_X509_push(p->untrusted, p->certs[INTER]) ||
        !sk_X509_push(p->untrusted, p->certs[RESPONDER]))
        abort();
}

/* Loaded on the first input, kept for the process. */
static const fuzz_pki *pki(void)
{
    static fuzz_pki p;

    if (p.store == NULL)
        load(&p);
    return &p;
}

static void check_result(int rc, lsi_rev_evidence *e, const uint8_t *data, size_t size)
{
    /* LSIGN_FUZZ_VERBOSE=1: what each check says, to see how deep the seeds reach. */
    if (getenv("LSIGN_FUZZ_VERBOSE") != NULL)
        fprintf(stderr, "  %s: %s\n", rc == LSIGN_OK ? "ok" : "refused",
                rc == LSIGN_OK ? (e->status == LSI_REV_GOOD      ? "good"
                                  : e->status == LSI_REV_REVOKED ? "revoked"
                                                                 : "unknown")
                               : lsign_last_error());
    if (rc == LSIGN_OK) {
        if (e->der == NULL || e->der_len != size || memcmp(e->der, data, size) != 0 ||
            e->signer == NULL || e->cert == NULL || (int)e->status < LSI_REV_GOOD ||
            e->status > LSI_REV_UNKNOWN)
            abort();
    } else if (rc > 0 || e->der != NULL || e->signer != NULL || e->cert != NULL) {
        abort();
    }
    lsi_rev_evidence_clear(e);
}

/* The PEM path of fetched CRLs: DER out, or a clean refusal. */
static void crl_der(const uint8_t *data, size_t size)
{
    unsigned char *copy = malloc(size > 0 ? size : 1);
    size_t len = size;

    if (copy == NULL)
        return;
    memcpy(copy, data, size);
    if (lsi_rev_crl_der(&copy, &len) == LSIGN_OK && len > size)
        abort(); /* decoding base64 only shrinks */
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const fuzz_pki *p = pki();
    const int subjects[] = {SIGNER, REVOKED};
    lsi_rev_evidence e;

    for (size_t i = 0; i < sizeof subjects / sizeof subjects[0]; i++) {
        X509 *cert = p->certs[subjects[i]];

        check_result(lsi_ocsp_check(data, size, cert, p->certs[INTER], p->untrusted, p->store, NULL,
                                    FUZZ_AT, &e),
                     &e, data, size);
        check_result(lsi_crl_check(data, size, cert, p->certs[INTER], FUZZ_AT, &e), &e, data, size);
    }
    crl_der(data, size);
    return 0;
}
