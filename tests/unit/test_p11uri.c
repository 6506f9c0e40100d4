/* RFC 7512 PKCS#11 URIs: the RFC's examples, Vietnamese labels, the canonical form, errors. */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "keys/p11uri.h"
#include "libsign/libsign.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ---- */

static lsi_p11uri *parse_ok(const char *text)
{
    lsi_p11uri *uri = NULL;
    int rc = lsi_p11uri_parse(text, &uri);

    if (rc != LSIGN_OK)
        fail_msg("parse(\"%s\") = %d: %s", text, rc, lsign_last_error());
    assert_non_null(uri);
    return uri;
}

/* Parses `text`, expecting `code`; returns the message. */
static const char *parse_fails(const char *text, int code)
{
    lsi_p11uri *uri = (lsi_p11uri *)&uri; /* not NULL, so that the reset is checked */
    int rc = lsi_p11uri_parse(text, &uri);

    if (rc != code)
        fail_msg("parse(\"%s\") = %d, expected %d (%s)", text, rc, code, lsign_last_error());
    assert_null(uri);
    assert_int_equal(lsign_last_error_code(), code);
    return lsign_last_error();
}

static void assert_contains(const char *haystack, const char *needle)
{
    if (strstr(haystack, needle) == NULL)
        fail_msg("\"%s\" does not contain \"%s\"", haystack, needle);
}

static void assert_lacks(const char *haystack, const char *needle)
{
    if (strstr(haystack, needle) != NULL)
        fail_msg("\"%s\" contains \"%s\"", haystack, needle);
}

/* How many attributes are present: each RFC example checks that it set no others. */
static int count_set(const lsi_p11uri *u)
{
    const char *texts[] = {u->token,
                           u->manufacturer,
                           u->serial,
                           u->model,
                           u->object,
                           u->type,
                           u->library_manufacturer,
                           u->library_description,
                           u->library_version,
                           u->slot_manufacturer,
                           u->slot_description,
                           u->module_name,
                           u->module_path,
                           u->pin_source,
                           u->pin_value};
    int n = (u->has_id != 0) + (u->has_slot_id != 0);

    for (size_t i = 0; i < ARRAY_LEN(texts); i++)
        n += texts[i] != NULL;
    return n;
}

static void assert_bytes(const unsigned char *got, size_t got_len, const void *want,
                         size_t want_len)
{
    assert_int_equal(got_len, want_len);
    assert_memory_equal(got, want, want_len);
}

static void assert_to_string(const lsi_p11uri *uri, const char *want)
{
    char *text = lsi_p11uri_to_string(uri);

    assert_non_null(text);
    assert_string_equal(text, want);
    free(text);
}

/* parse(to_string(uri)) equals uri, and the canonical form is a fixed point. */
static void assert_round_trip(const lsi_p11uri *uri)
{
    char *text = lsi_p11uri_to_string(uri);
    lsi_p11uri *again;
    char *text2;

    assert_non_null(text);
    again = parse_ok(text);
    assert_true(lsi_p11uri_equal(uri, again));
    text2 = lsi_p11uri_to_string(again);
    assert_non_null(text2);
    assert_string_equal(text, text2);
    lsi_p11uri_free(again);
    free(text);
    free(text2);
}

/* ---- RFC 7512 section 3, every example in order ---- */

static void test_rfc_empty_uri_matches_everything(void **state)
{
    lsi_p11uri *uri = parse_ok("pkcs11:");

    (void)state;
    assert_int_equal(count_set(uri), 0);
    assert_to_string(uri, "pkcs11:");
    lsi_p11uri_free(uri);
}

static void test_rfc_public_key(void **state)
{
    lsi_p11uri *uri = parse_ok("pkcs11:object=my-pubkey;type=public");

    (void)state;
    assert_string_equal(uri->object, "my-pubkey");
    assert_string_equal(uri->type, "public");
    assert_int_equal(count_set(uri), 2);
    lsi_p11uri_free(uri);
}

static void test_rfc_private_key_with_pin_source(void **state)
{
    lsi_p11uri *uri = parse_ok("pkcs11:object=my-key;type=private?pin-source=file:/etc/token");

    (void)state;
    assert_string_equal(uri->object, "my-key");
    assert_string_equal(uri->type, "private");
    assert_string_equal(uri->pin_source, "file:/etc/token");
    assert_int_equal(count_set(uri), 3);
    lsi_p11uri_free(uri);
}

static void test_rfc_certificate_with_token_and_id(void **state)
{
    static const unsigned char id[] = {0x69, 0x95, 0x3E, 0x5C, 0xF4, 0xBD, 0xEC, 0x91};
    const char *text =
        "pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;"
        "manufacturer=Snake%20Oil,%20Inc.;model=1.0;object=my-certificate;"
        "type=cert;id=%69%95%3E%5C%F4%BD%EC%91;serial=?pin-source=file:/etc/token_pin";
    lsi_p11uri *uri = parse_ok(text);

    (void)state;
    assert_string_equal(uri->token, "The Software PKCS#11 Softtoken");
    assert_string_equal(uri->manufacturer, "Snake Oil, Inc.");
    assert_string_equal(uri->model, "1.0");
    assert_string_equal(uri->object, "my-certificate");
    assert_string_equal(uri->type, "cert");
    assert_true(uri->has_id);
    assert_bytes(uri->id, uri->id_len, id, sizeof id);
    assert_non_null(uri->serial); /* present and empty is not absent */
    assert_string_equal(uri->serial, "");
    assert_string_equal(uri->pin_source, "file:/etc/token_pin");
    assert_int_equal(count_set(uri), 8);
    assert_to_string(uri, "pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;"
                          "manufacturer=Snake%20Oil,%20Inc.;serial=;model=1.0;"
                          "object=my-certificate;type=cert;id=%69%95%3E%5C%F4%BD%EC%91"
                          "?pin-source=file:/etc/token_pin");
    lsi_p11uri_free(uri);
}

/* The same URI with a 17-byte id: ids longer than the RFC's 8 bytes are common. */
static void test_rfc_certificate_with_long_id(void **state)
{
    static const unsigned char id[] = {0x69, 0x95, 0x3E, 0x5C, 0xF4, 0xBE, 0x2D, 0xC1, 0xEA,
                                       0xC3, 0xAB, 0xC8, 0x1D, 0xE5, 0x5A, 0x34, 0x6A};
    lsi_p11uri *uri = parse_ok(
        "pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;manufacturer=Snake%20Oil,%20Inc.;"
        "model=1.0;object=my-certificate;type=cert;"
        "id=%69%95%3E%5C%F4%BE%2D%C1%EA%C3%AB%C8%1D%E5%5A%34%6A;serial=?pin-source=file:/etc/"
        "token_pin");

    (void)state;
    assert_bytes(uri->id, uri->id_len, id, sizeof id);
    assert_int_equal(count_set(uri), 8);
    assert_round_trip(uri);
    lsi_p11uri_free(uri);
}

static void test_rfc_module_name(void **state)
{
    lsi_p11uri *uri = parse_ok("pkcs11:object=my-sign-key;type=private?module-name=mypkcs11");

    (void)state;
    assert_string_equal(uri->object, "my-sign-key");
    assert_string_equal(uri->type, "private");
    assert_string_equal(uri->module_name, "mypkcs11");
    assert_int_equal(count_set(uri), 3);
    lsi_p11uri_free(uri);
}

static void test_rfc_module_path(void **state)
{
    lsi_p11uri *uri =
        parse_ok("pkcs11:object=my-sign-key;type=private?module-path=/mnt/libmypkcs11.so.1");

    (void)state;
    assert_string_equal(uri->object, "my-sign-key");
    assert_string_equal(uri->type, "private");
    assert_string_equal(uri->module_path, "/mnt/libmypkcs11.so.1");
    assert_int_equal(count_set(uri), 3);
    assert_to_string(uri, "pkcs11:object=my-sign-key;type=private"
                          "?module-path=/mnt/libmypkcs11.so.1");
    lsi_p11uri_free(uri);
}

static void test_rfc_pin_value(void **state)
{
    lsi_p11uri *uri = parse_ok("pkcs11:token=Software%20PKCS%2311%20softtoken;"
                               "manufacturer=Snake%20Oil,%20Inc.?pin-value=the-pin");

    (void)state;
    assert_string_equal(uri->token, "Software PKCS#11 softtoken");
    assert_string_equal(uri->manufacturer, "Snake Oil, Inc.");
    assert_string_equal(uri->pin_value, "the-pin");
    assert_int_equal(uri->pin_value_len, 7);
    assert_int_equal(count_set(uri), 3);
    assert_to_string(uri, "pkcs11:token=Software%20PKCS%2311%20softtoken;"
                          "manufacturer=Snake%20Oil,%20Inc.?pin-value=<hidden>");
    lsi_p11uri_free(uri);
}

static void test_rfc_slot_description(void **state)
{
    lsi_p11uri *uri = parse_ok("pkcs11:slot-description=Sun%20Metaslot");

    (void)state;
    assert_string_equal(uri->slot_description, "Sun Metaslot");
    assert_int_equal(count_set(uri), 1);
    lsi_p11uri_free(uri);
}

static void test_rfc_library(void **state)
{
    lsi_p11uri *uri = parse_ok("pkcs11:library-manufacturer=Snake%20Oil,%20Inc.;"
                               "library-description=Soft%20Token%20Library;library-version=1.23");

    (void)state;
    assert_string_equal(uri->library_manufacturer, "Snake Oil, Inc.");
    assert_string_equal(uri->library_description, "Soft Token Library");
    assert_string_equal(uri->library_version, "1.23");
    assert_int_equal(count_set(uri), 3);
    lsi_p11uri_free(uri);
}

static void test_rfc_percent_in_label_and_mixed_case_id(void **state)
{
    static const unsigned char id[] = {0x01, 0x02, 0x03, 0xBA, 0xDD, 0xCA, 0xFE, 0x04, 0x05, 0x06};
    lsi_p11uri *uri = parse_ok("pkcs11:token=My%20token%25%20created%20by%20Joe;"
                               "library-version=3;id=%01%02%03%Ba%dd%Ca%fe%04%05%06");

    (void)state;
    assert_string_equal(uri->token, "My token% created by Joe");
    assert_string_equal(uri->library_version, "3");
    assert_bytes(uri->id, uri->id_len, id, sizeof id);
    assert_int_equal(count_set(uri), 3);
    assert_to_string(uri, "pkcs11:token=My%20token%25%20created%20by%20Joe;library-version=3;"
                          "id=%01%02%03%BA%DD%CA%FE%04%05%06");
    lsi_p11uri_free(uri);
}

static void test_rfc_separator_in_label(void **state)
{
    lsi_p11uri *uri = parse_ok("pkcs11:token=A%20name%20with%20a%20substring%20%25%3B;"
                               "object=my-certificate;type=cert");

    (void)state;
    assert_string_equal(uri->token, "A name with a substring %;");
    assert_string_equal(uri->object, "my-certificate");
    assert_string_equal(uri->type, "cert");
    assert_int_equal(count_set(uri), 3);
    assert_round_trip(uri);
    lsi_p11uri_free(uri);
}

static void test_rfc_utf8_label(void **state)
{
    lsi_p11uri *uri = parse_ok("pkcs11:token=Name%20with%20a%20small%20A%20with%20acute:%20%C3%A1;"
                               "object=my-certificate;type=cert");

    (void)state;
    assert_string_equal(uri->token, "Name with a small A with acute: \xC3\xA1");
    assert_string_equal(uri->object, "my-certificate");
    assert_string_equal(uri->type, "cert");
    assert_int_equal(count_set(uri), 3);
    lsi_p11uri_free(uri);
}

/*
 * The RFC's last example has a vendor attribute in the path and one in the query. RFC 7512
 * section 2.5: an unrecognised path attribute, vendor-specific included, makes the URI match
 * nothing; we reject it at parse time, naming it. The query one is accepted and ignored.
 */
static void test_rfc_vendor_attributes(void **state)
{
    const char *text = "pkcs11:token=my-token;object=my-certificate;type=cert;vendor-aaa=value-a"
                       "?pin-source=file:/etc/token_pin&vendor-bbb=value-b";
    const char *msg = parse_fails(text, LSIGN_E_PARSE);
    lsi_p11uri *uri;

    (void)state;
    assert_contains(msg, "unknown attribute \"vendor-aaa\" at offset 54");
    assert_contains(msg, "RFC 7512 section 2.5");
    assert_int_equal(strstr(text, "vendor-aaa") - text, 54);

    uri = parse_ok("pkcs11:token=my-token;object=my-certificate;type=cert"
                   "?pin-source=file:/etc/token_pin&vendor-bbb=value-b");
    assert_string_equal(uri->token, "my-token");
    assert_string_equal(uri->object, "my-certificate");
    assert_string_equal(uri->type, "cert");
    assert_string_equal(uri->pin_source, "file:/etc/token_pin");
    assert_int_equal(count_set(uri), 4);
    assert_to_string(uri, "pkcs11:token=my-token;object=my-certificate;type=cert"
                          "?pin-source=file:/etc/token_pin");
    lsi_p11uri_free(uri);
}

/* ---- Vietnamese labels ---- */

static void test_vietnamese_labels(void **state)
{
    lsi_p11uri *uri = parse_ok(
        "pkcs11:token=Ch%E1%BB%AF%20k%C3%BD%20s%E1%BB%91%20VNPT-CA;"
        "manufacturer=VNPT;model=Token%20k%C3%BD%20s%E1%BB%91%20Viettel;"
        "object=Kh%C3%B3a%20k%C3%BD%20c%E1%BB%A7a%20B%E1%BB%99%20T%C6%B0%20ph%C3%A1p;type=private");

    (void)state;
    assert_string_equal(uri->token, "Chữ ký số VNPT-CA");
    assert_string_equal(uri->token, "Ch\xE1\xBB\xAF k\xC3\xBD s\xE1\xBB\x91 VNPT-CA");
    assert_string_equal(uri->manufacturer, "VNPT");
    assert_string_equal(uri->model, "Token ký số Viettel");
    assert_string_equal(uri->object, "Khóa ký của Bộ Tư pháp");
    assert_string_equal(uri->type, "private");
    assert_round_trip(uri);
    lsi_p11uri_free(uri);
}

/* Lower-case hex decodes the same; the canonical form writes upper case. */
static void test_vietnamese_lower_case_hex(void **state)
{
    lsi_p11uri *uri = parse_ok("pkcs11:object=Nguy%e1%bb%85n%20V%c4%83n%20An");

    (void)state;
    assert_string_equal(uri->object, "Nguyễn Văn An");
    assert_to_string(uri, "pkcs11:object=Nguy%E1%BB%85n%20V%C4%83n%20An");
    lsi_p11uri_free(uri);
}

/* Decomposed (NFD) text is kept byte for byte: matching a label is by bytes, as in PKCS#11. */
static void test_vietnamese_nfd_kept_as_given(void **state)
{
    lsi_p11uri *nfd = parse_ok("pkcs11:object=Nguye%CC%82%CC%83n%20Va%CC%86n%20An");
    lsi_p11uri *nfc = parse_ok("pkcs11:object=Nguy%E1%BB%85n%20V%C4%83n%20An");

    (void)state;
    assert_string_equal(nfd->object, "Nguye\xCC\x82\xCC\x83n Va\xCC\x86n An");
    assert_false(lsi_p11uri_equal(nfd, nfc));
    assert_round_trip(nfd);
    lsi_p11uri_free(nfd);
    lsi_p11uri_free(nfc);
}

/* A URI is ASCII: raw UTF-8 must be percent-encoded, and the message says where. */
static void test_vietnamese_unencoded_rejected(void **state)
{
    const char *msg = parse_fails("pkcs11:token=Chữ ký số", LSIGN_E_PARSE);

    (void)state;
    assert_string_equal(msg, "PKCS#11 URI: byte 0xE1 at offset 15 in attribute \"token\" must "
                             "be percent-encoded");
}

/* ---- other accepted forms ---- */

static void test_scheme_and_names_are_case_insensitive(void **state)
{
    lsi_p11uri *uri = parse_ok("PKCS11:Token=t;OBJECT=k;Type=CERT?Module-Name=m");

    (void)state;
    assert_string_equal(uri->token, "t");
    assert_string_equal(uri->object, "k");
    assert_string_equal(uri->type, "cert"); /* stored in lower case */
    assert_string_equal(uri->module_name, "m");
    lsi_p11uri_free(uri);
    uri = parse_ok("Pkcs11:");
    assert_int_equal(count_set(uri), 0);
    lsi_p11uri_free(uri);
}

static void test_every_object_type(void **state)
{
    static const char *const types[] = {"cert", "data", "private", "public", "secret-key"};
    char text[64];

    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(types); i++) {
        lsi_p11uri *uri;

        (void)snprintf(text, sizeof text, "pkcs11:type=%s", types[i]);
        uri = parse_ok(text);
        assert_string_equal(uri->type, types[i]);
        lsi_p11uri_free(uri);
    }
}

static void test_empty_values(void **state)
{
    lsi_p11uri *uri = parse_ok("pkcs11:token=;object=;id=?pin-source=&module-name=");

    (void)state;
    assert_string_equal(uri->token, "");
    assert_string_equal(uri->object, "");
    assert_true(uri->has_id);
    assert_int_equal(uri->id_len, 0);
    assert_string_equal(uri->pin_source, "");
    assert_string_equal(uri->module_name, "");
    assert_int_equal(count_set(uri), 5);
    assert_to_string(uri, "pkcs11:token=;object=;id=?pin-source=&module-name=");
    assert_round_trip(uri);
    lsi_p11uri_free(uri);
}

static void test_empty_query(void **state)
{
    lsi_p11uri *uri = parse_ok("pkcs11:?");

    (void)state;
    assert_int_equal(count_set(uri), 0);
    lsi_p11uri_free(uri);
    uri = parse_ok("pkcs11:object=a?");
    assert_int_equal(count_set(uri), 1);
    assert_to_string(uri, "pkcs11:object=a");
    lsi_p11uri_free(uri);
}

static void test_id_holds_any_bytes(void **state)
{
    static const unsigned char id[] = {0x00, 0xFF, 0x00, 0x25};
    lsi_p11uri *uri = parse_ok("pkcs11:id=%00%ff%00%25;type=private");

    (void)state;
    assert_bytes(uri->id, uri->id_len, id, sizeof id);
    assert_to_string(uri, "pkcs11:type=private;id=%00%FF%00%25");
    assert_round_trip(uri);
    lsi_p11uri_free(uri);
    /* Unencoded characters are bytes of the id too; the canonical form encodes them all. */
    uri = parse_ok("pkcs11:id=ab%00");
    assert_bytes(uri->id, uri->id_len, "ab\0", 3);
    assert_to_string(uri, "pkcs11:id=%61%62%00");
    lsi_p11uri_free(uri);
}

static void test_slot_id(void **state)
{
    char text[64];
    lsi_p11uri *uri = parse_ok("pkcs11:slot-id=0");

    (void)state;
    assert_true(uri->has_slot_id);
    assert_int_equal(uri->slot_id, 0);
    lsi_p11uri_free(uri);

    uri = parse_ok("pkcs11:slot-id=007;slot-manufacturer=SoftHSM");
    assert_int_equal(uri->slot_id, 7);
    assert_string_equal(uri->slot_manufacturer, "SoftHSM");
    assert_to_string(uri, "pkcs11:slot-manufacturer=SoftHSM;slot-id=7");
    lsi_p11uri_free(uri);

    (void)snprintf(text, sizeof text, "pkcs11:slot-id=%lu", ULONG_MAX);
    uri = parse_ok(text);
    assert_true(uri->slot_id == ULONG_MAX);
    assert_to_string(uri, text);
    lsi_p11uri_free(uri);
}

static void test_library_versions(void **state)
{
    static const char *const good[] = {"0", "3", "255", "1.0", "1.23", "255.255", "001.002"};
    char text[64];

    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(good); i++) {
        lsi_p11uri *uri;

        (void)snprintf(text, sizeof text, "pkcs11:library-version=%s", good[i]);
        uri = parse_ok(text);
        assert_string_equal(uri->library_version, good[i]);
        lsi_p11uri_free(uri);
    }
}

/* Reserved characters RFC 7512 lets through unencoded, per component. */
static void test_reserved_characters_allowed(void **state)
{
    lsi_p11uri *uri = parse_ok("pkcs11:object=a=b&c:d@e!$'()*+,[]~._-"
                               "?pin-source=file:/a/b?c=d|e&module-path=/usr/lib/x.so");

    (void)state;
    assert_string_equal(uri->object, "a=b&c:d@e!$'()*+,[]~._-");
    assert_string_equal(uri->pin_source, "file:/a/b?c=d|e");
    assert_string_equal(uri->module_path, "/usr/lib/x.so");
    assert_round_trip(uri);
    lsi_p11uri_free(uri);
}

/* Vendor query attributes are allowed, may repeat (RFC 7512 section 2.4), and are ignored. */
static void test_vendor_query_attributes_ignored(void **state)
{
    lsi_p11uri *uri =
        parse_ok("pkcs11:object=k?x-foo=1&x-foo=2&vendor_b=&module-name=m&Vendor-C=%41");

    (void)state;
    assert_string_equal(uri->object, "k");
    assert_string_equal(uri->module_name, "m");
    assert_int_equal(count_set(uri), 2);
    assert_to_string(uri, "pkcs11:object=k?module-name=m");
    lsi_p11uri_free(uri);
}

static void test_length_limit(void **state)
{
    const size_t max = LSI_P11URI_MAX_LEN;
    char *text = malloc(max + 2);
    lsi_p11uri *uri;
    const char *msg;

    (void)state;
    assert_non_null(text);
    memcpy(text, "pkcs11:object=", 14);
    memset(text + 14, 'a', max - 14);
    text[max] = '\0';
    uri = parse_ok(text); /* exactly the limit */
    assert_int_equal(strlen(uri->object), max - 14);
    lsi_p11uri_free(uri);

    text[max] = 'a';
    text[max + 1] = '\0';
    msg = parse_fails(text, LSIGN_E_LIMIT);
    assert_string_equal(msg, "PKCS#11 URI: longer than 65536 bytes");
    free(text);
}

static void test_null_arguments(void **state)
{
    lsi_p11uri *uri = (lsi_p11uri *)&uri;

    (void)state;
    assert_int_equal(lsi_p11uri_parse(NULL, &uri), LSIGN_E_INVALID_ARG);
    assert_null(uri);
    assert_int_equal(lsi_p11uri_parse("pkcs11:", NULL), LSIGN_E_INVALID_ARG);
    assert_int_equal(lsign_last_error_code(), LSIGN_E_INVALID_ARG);
    assert_null(lsi_p11uri_to_string(NULL));
    lsi_p11uri_free(NULL);
}

/* ---- canonical form ---- */

static void test_to_string_orders_and_encodes(void **state)
{
    lsi_p11uri *uri = parse_ok("pkcs11:type=private;object=a%20b%3Bc%25d%2Fe%3Ff%23g&h;token=t"
                               "?module-path=/lib/x.so&pin-source=p%3Bq%26r/s?");

    (void)state;
    assert_string_equal(uri->object, "a b;c%d/e?f#g&h");
    assert_string_equal(uri->pin_source, "p;q&r/s?");
    /* '&' stays plain in the path, '/' and '?' in the query: RFC 7512's ABNF allows them. */
    assert_to_string(uri, "pkcs11:token=t;object=a%20b%3Bc%25d%2Fe%3Ff%23g&h;type=private"
                          "?pin-source=p%3Bq%26r/s?&module-path=/lib/x.so");
    assert_round_trip(uri);
    lsi_p11uri_free(uri);
}

static void test_to_string_hides_pin_value(void **state)
{
    lsi_p11uri *uri = parse_ok("pkcs11:object=k?pin-value=secret123&module-name=m");
    char *text = lsi_p11uri_to_string(uri);

    (void)state;
    assert_non_null(text);
    assert_string_equal(text, "pkcs11:object=k?pin-value=<hidden>&module-name=m");
    assert_lacks(text, "secret123");
    free(text);
    lsi_p11uri_free(uri);
}

/* Every valid URI of this file: parse(to_string(x)) equals x. */
static void test_round_trip_all(void **state)
{
    static const char *const uris[] = {
        "pkcs11:",
        "pkcs11:object=my-pubkey;type=public",
        "pkcs11:object=my-key;type=private?pin-source=file:/etc/token",
        "pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;manufacturer=Snake%20Oil,%20Inc.;"
        "model=1.0;object=my-certificate;type=cert;id=%69%95%3E%5C%F4%BD%EC%91;serial="
        "?pin-source=file:/etc/token_pin",
        "pkcs11:object=my-sign-key;type=private?module-name=mypkcs11",
        "pkcs11:object=my-sign-key;type=private?module-path=/mnt/libmypkcs11.so.1",
        "pkcs11:slot-description=Sun%20Metaslot",
        "pkcs11:library-manufacturer=Snake%20Oil,%20Inc.;"
        "library-description=Soft%20Token%20Library;library-version=1.23",
        "pkcs11:token=My%20token%25%20created%20by%20Joe;library-version=3;"
        "id=%01%02%03%Ba%dd%Ca%fe%04%05%06",
        "pkcs11:token=A%20name%20with%20a%20substring%20%25%3B;object=my-certificate;type=cert",
        "pkcs11:token=Name%20with%20a%20small%20A%20with%20acute:%20%C3%A1;"
        "object=my-certificate;type=cert",
        "pkcs11:token=Ch%E1%BB%AF%20k%C3%BD%20s%E1%BB%91%20VNPT-CA;id=%00%01%FF",
        "pkcs11:slot-manufacturer=A;slot-description=B;slot-id=42;library-version=0.1",
        "PKCS11:TYPE=Secret-Key;SERIAL=0123456789abcdef",
    };

    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(uris); i++) {
        lsi_p11uri *uri = parse_ok(uris[i]);

        assert_round_trip(uri);
        lsi_p11uri_free(uri);
    }
}

static void test_equal(void **state)
{
    lsi_p11uri *a = parse_ok("pkcs11:object=a%62c;token=t;id=%01?pin-value=1234");
    lsi_p11uri *b = parse_ok("pkcs11:token=t;id=%01;object=abc?pin-value=%31234");
    lsi_p11uri *c = parse_ok("pkcs11:token=t;id=%02;object=abc?pin-value=1234");
    lsi_p11uri *d = parse_ok("pkcs11:token=t;id=%01;object=abc?pin-value=1235");
    lsi_p11uri *e = parse_ok("pkcs11:token=t;id=%01;object=abc");

    (void)state;
    assert_true(lsi_p11uri_equal(a, b)); /* order and encoding do not matter */
    assert_false(lsi_p11uri_equal(a, c));
    assert_false(lsi_p11uri_equal(a, d));
    assert_false(lsi_p11uri_equal(a, e));
    assert_true(lsi_p11uri_equal(NULL, NULL));
    assert_false(lsi_p11uri_equal(a, NULL));
    lsi_p11uri_free(a);
    lsi_p11uri_free(b);
    lsi_p11uri_free(c);
    lsi_p11uri_free(d);
    lsi_p11uri_free(e);
}

/* ---- the PIN never reaches a message ---- */

static void test_errors_never_show_pin_value(void **state)
{
    static const char *const uris[] = {
        "pkcs11:object=a;type=bogus?pin-value=Zq4711xW",
        "pkcs11:object=a?pin-value=Zq4711xW&module-path=relative.so",
        "pkcs11:object=a?pin-value=Zq4711xW&pin-source=file:/x",
        "pkcs11:object=a?pin-value=Zq4711xW&pin-value=Zq4711xW",
        "pkcs11:object=a?pin-value=Zq47%zz11xW",
        "pkcs11:object=a?pin-value=Zq4711xW%4",
        "pkcs11:object=a?pin-value=Zq47 11xW",
        "pkcs11:object=a?pin-value=Zq4711xW;x=1",
        "pkcs11:object=a?pin-value=Zq47%0011xW",
        "pkcs11:object=a?pin-value=Zq47%FF11xW",
        "pkcs11:pin-value=Zq4711xW",
        "pkcs11:object=a?pin-value=Zq4711xW&Zq4711xW",
        "pkcs11:object=a?pin-value=Zq4711xW&x-v=%zz",
        "pkcs11:object=a?pin-value=Zq4711xW&=Zq4711xW",
        "pkcs11:object=a?pin-value=Zq4711xW&&",
        "pkcs11:object=a?pin-value=Zq4711xW&token=x",
    };

    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(uris); i++) {
        const char *msg = parse_fails(uris[i], LSIGN_E_PARSE);

        assert_contains(msg, "PKCS#11 URI: ");
        assert_lacks(msg, "Zq47");
        assert_lacks(msg, "11xW");
    }
}

/* The PIN is decoded and stored before the error after it: the message still lacks it. */
static void test_error_after_pin_value_lacks_it(void **state)
{
    static const char *const uris[] = {
        "pkcs11:object=a;type=private?pin-value=secret123&module-path=lib.so",
        "pkcs11:object=a?pin-value=secret123&pin-source=file:/etc/pin",
        "pkcs11:object=a?pin-value=secret123&module-name=%zz",
        "pkcs11:object=a?pin-value=secret123&bad.name=1",
    };

    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(uris); i++)
        assert_lacks(parse_fails(uris[i], LSIGN_E_PARSE), "secret123");
}

/* Inside the PIN, not even the offending byte or its position is told. */
static void test_pin_value_error_hides_position(void **state)
{
    const char *msg = parse_fails("pkcs11:object=a?pin-value=ab%zz", LSIGN_E_PARSE);

    (void)state;
    assert_string_equal(msg, "PKCS#11 URI: attribute \"pin-value\" at offset 16 has a bad "
                             "percent-encoding or a character that must be percent-encoded "
                             "(value hidden)");
}

/* ---- malformed URIs: one test each, named, with the message they must give ---- */

struct malformed {
    const char *name;
    const char *uri;
    const char *message; /* a part of the message, after "PKCS#11 URI: " */
};

static const struct malformed malformed[] = {
    {"wrong scheme", "pkcs12:token=a", "must start with \"pkcs11:\""},
    {"no scheme", "token=a", "must start with \"pkcs11:\""},
    {"scheme without colon", "pkcs11", "must start with \"pkcs11:\""},
    {"empty string", "", "must start with \"pkcs11:\""},
    {"other URI", "https://example.com/pkcs11:", "must start with \"pkcs11:\""},
    {"lone % at end", "pkcs11:object=my-key%",
     "bad percent-encoding at offset 20 in attribute \"object\""},
    {"%4 truncated", "pkcs11:object=%4",
     "bad percent-encoding at offset 14 in attribute \"object\""},
    {"%zz not hex", "pkcs11:token=ab%zz",
     "bad percent-encoding at offset 15 in attribute \"token\""},
    {"%4g half hex", "pkcs11:id=%4g", "bad percent-encoding at offset 10 in attribute \"id\""},
    {"bad % in object", "pkcs11:object=my-label%zz",
     "bad percent-encoding at offset 22 in attribute \"object\""},
    {"bad % in vendor query value", "pkcs11:?x-foo=%zz",
     "bad percent-encoding at offset 14 in attribute \"x-foo\""},
    {"duplicate token", "pkcs11:token=a;token=b",
     "attribute \"token\" appears twice (again at offset 15)"},
    {"duplicate in other case", "pkcs11:object=a;OBJECT=a",
     "attribute \"object\" appears twice (again at offset 16)"},
    {"duplicate id", "pkcs11:id=%01;id=%01", "attribute \"id\" appears twice (again at offset 14)"},
    {"duplicate slot-id", "pkcs11:slot-id=1;slot-id=1",
     "attribute \"slot-id\" appears twice (again at offset 17)"},
    {"duplicate query attribute", "pkcs11:?module-name=a&module-name=b",
     "attribute \"module-name\" appears twice (again at offset 22)"},
    {"duplicate pin-value", "pkcs11:?pin-value=1&pin-value=1",
     "attribute \"pin-value\" appears twice (again at offset 20)"},
    {"unknown attribute", "pkcs11:slot-nr=1", "unknown attribute \"slot-nr\" at offset 7"},
    {"unknown x- path attribute", "pkcs11:token=a;x-foo=1",
     "unknown attribute \"x-foo\" at offset 15"},
    {"bad type", "pkcs11:type=privat",
     "attribute \"type\" at offset 7 must be one of cert, data, private, public, secret-key"},
    {"empty type", "pkcs11:object=a;type=", "attribute \"type\" at offset 16 must be one of cert"},
    {"type secretkey", "pkcs11:type=secretkey", "attribute \"type\" at offset 7 must be one of"},
    {"library-version three parts", "pkcs11:library-version=1.2.3",
     "attribute \"library-version\" at offset 7 must be M or M.m"},
    {"library-version letters", "pkcs11:library-version=a", "\"library-version\" at offset 7"},
    {"library-version trailing dot", "pkcs11:library-version=1.", "must be M or M.m"},
    {"library-version leading dot", "pkcs11:library-version=.1", "must be M or M.m"},
    {"library-version empty", "pkcs11:library-version=", "must be M or M.m"},
    {"library-version 256", "pkcs11:library-version=256", "each a number from 0 to 255"},
    {"library-version minor 256", "pkcs11:library-version=1.256", "must be M or M.m"},
    {"slot-id letters", "pkcs11:slot-id=abc",
     "attribute \"slot-id\" at offset 7 must be a decimal number"},
    {"slot-id empty", "pkcs11:slot-id=", "attribute \"slot-id\" at offset 7 must be a decimal"},
    {"slot-id negative", "pkcs11:slot-id=-1", "must be a decimal number"},
    {"slot-id plus", "pkcs11:slot-id=+1", "must be a decimal number"},
    {"slot-id overflow", "pkcs11:slot-id=184467440737095516160", "must be a decimal number"},
    {"NUL in label", "pkcs11:object=a%00b",
     "attribute \"object\" at offset 7 contains a NUL byte (%00)"},
    {"NUL in token", "pkcs11:type=cert;token=%00",
     "attribute \"token\" at offset 17 contains a NUL"},
    {"NUL in module-name", "pkcs11:?module-name=%00", "\"module-name\" at offset 8 contains a NUL"},
    {"truncated UTF-8", "pkcs11:token=%C3", "attribute \"token\" at offset 7 is not valid UTF-8"},
    {"overlong UTF-8", "pkcs11:object=%C0%AF", "is not valid UTF-8"},
    {"UTF-16 surrogate", "pkcs11:object=%ED%A0%80", "is not valid UTF-8"},
    {"past U+10FFFF", "pkcs11:object=%F4%90%80%80", "is not valid UTF-8"},
    {"lone continuation byte", "pkcs11:model=%80", "\"model\" at offset 7 is not valid UTF-8"},
    {"missing '='", "pkcs11:token", "attribute at offset 7 has no '='"},
    {"missing '=' later", "pkcs11:token=a;object", "attribute at offset 15 has no '='"},
    {"missing '=' in query", "pkcs11:?pin-source", "attribute at offset 8 has no '='"},
    {"attribute name empty", "pkcs11:=a", "attribute name missing before '=' at offset 7"},
    {"empty attribute", "pkcs11:token=a;;object=b", "empty attribute at offset 15"},
    {"trailing ';'", "pkcs11:token=a;", "empty attribute at offset 15"},
    {"leading ';'", "pkcs11:;token=a", "empty attribute at offset 7"},
    {"empty query attribute", "pkcs11:?&", "empty attribute at offset 8"},
    {"invalid name", "pkcs11:tok.en=a", "invalid attribute name at offset 7"},
    {"space in name", "pkcs11:token=a;my token=b", "invalid attribute name at offset 15"},
    {"space in value", "pkcs11:token=My Token",
     "byte 0x20 at offset 15 in attribute \"token\" must be percent-encoded"},
    {"'#' in value", "pkcs11:object=a#b", "byte 0x23 at offset 15 in attribute \"object\""},
    {"'/' in path", "pkcs11:object=a/b", "byte 0x2F at offset 15 in attribute \"object\""},
    {"';' in query", "pkcs11:?pin-source=a;b",
     "byte 0x3B at offset 20 in attribute \"pin-source\""},
    {"tab in value", "pkcs11:token=a\tb", "byte 0x09 at offset 14 in attribute \"token\""},
    {"pin-value in path", "pkcs11:pin-value=1234",
     "attribute \"pin-value\" at offset 7 belongs in the query (after '?')"},
    {"token in query", "pkcs11:?token=a",
     "attribute \"token\" at offset 8 belongs in the path (before '?')"},
    {"relative module-path", "pkcs11:?module-path=libsofthsm2.so",
     "attribute \"module-path\" at offset 8 must be an absolute path"},
    {"pin-source and pin-value", "pkcs11:?pin-source=file:/p&pin-value=1",
     "attribute \"pin-value\" at offset 27 conflicts with \"pin-source\""},
    {"pin-value and pin-source", "pkcs11:?pin-value=1&pin-source=file:/p",
     "attribute \"pin-source\" at offset 20 conflicts with \"pin-value\""},
};

static void test_malformed(void **state)
{
    const struct malformed *m = *state;
    const char *msg = parse_fails(m->uri, LSIGN_E_PARSE);

    assert_int_equal(strncmp(msg, "PKCS#11 URI: ", 13), 0);
    assert_contains(msg, m->message);
}

/* Full messages, to pin down their wording. */
static void test_malformed_messages_in_full(void **state)
{
    (void)state;
    assert_string_equal(parse_fails("pkcs11:object=my%zz", LSIGN_E_PARSE),
                        "PKCS#11 URI: bad percent-encoding at offset 16 in attribute \"object\" "
                        "(% must be followed by two hex digits)");
    assert_string_equal(parse_fails("pkcs11:token=a;token=b", LSIGN_E_PARSE),
                        "PKCS#11 URI: attribute \"token\" appears twice (again at offset 15)");
    assert_string_equal(parse_fails("pkcs11:slot-nr=1", LSIGN_E_PARSE),
                        "PKCS#11 URI: unknown attribute \"slot-nr\" at offset 7 (a URI with an "
                        "unrecognised path attribute matches nothing, RFC 7512 section 2.5)");
    assert_string_equal(parse_fails("ftp:x", LSIGN_E_PARSE),
                        "PKCS#11 URI: must start with \"pkcs11:\" (at offset 0)");
}

/* A long unknown name is cut in the message. */
static void test_long_unknown_name_is_cut(void **state)
{
    char text[300] = "pkcs11:";
    const char *msg;

    (void)state;
    memset(text + 7, 'n', 200);
    memcpy(text + 207, "=1", 3);
    msg = parse_fails(text, LSIGN_E_PARSE);
    assert_true(strlen(msg) < 200);
    assert_contains(msg, "unknown attribute \"nnnnnnnn");
}

#define UNIT(f)                                                                                    \
    {                                                                                              \
#f, f, NULL, NULL, NULL                                                                    \
    }

static const struct CMUnitTest fixed_tests[] = {
    UNIT(test_rfc_empty_uri_matches_everything),
    UNIT(test_rfc_public_key),
    UNIT(test_rfc_private_key_with_pin_source),
    UNIT(test_rfc_certificate_with_token_and_id),
    UNIT(test_rfc_certificate_with_long_id),
    UNIT(test_rfc_module_name),
    UNIT(test_rfc_module_path),
    UNIT(test_rfc_pin_value),
    UNIT(test_rfc_slot_description),
    UNIT(test_rfc_library),
    UNIT(test_rfc_percent_in_label_and_mixed_case_id),
    UNIT(test_rfc_separator_in_label),
    UNIT(test_rfc_utf8_label),
    UNIT(test_rfc_vendor_attributes),
    UNIT(test_vietnamese_labels),
    UNIT(test_vietnamese_lower_case_hex),
    UNIT(test_vietnamese_nfd_kept_as_given),
    UNIT(test_vietnamese_unencoded_rejected),
    UNIT(test_scheme_and_names_are_case_insensitive),
    UNIT(test_every_object_type),
    UNIT(test_empty_values),
    UNIT(test_empty_query),
    UNIT(test_id_holds_any_bytes),
    UNIT(test_slot_id),
    UNIT(test_library_versions),
    UNIT(test_reserved_characters_allowed),
    UNIT(test_vendor_query_attributes_ignored),
    UNIT(test_length_limit),
    UNIT(test_null_arguments),
    UNIT(test_to_string_orders_and_encodes),
    UNIT(test_to_string_hides_pin_value),
    UNIT(test_round_trip_all),
    UNIT(test_equal),
    UNIT(test_errors_never_show_pin_value),
    UNIT(test_error_after_pin_value_lacks_it),
    UNIT(test_pin_value_error_hides_position),
    UNIT(test_malformed_messages_in_full),
    UNIT(test_long_unknown_name_is_cut),
};

int main(void)
{
    /* One cmocka test per malformed URI, named after it, so a failure says which. */
    struct CMUnitTest tests[ARRAY_LEN(fixed_tests) + ARRAY_LEN(malformed)];
    size_t n = 0;

    for (size_t i = 0; i < ARRAY_LEN(fixed_tests); i++)
        tests[n++] = fixed_tests[i];
    for (size_t i = 0; i < ARRAY_LEN(malformed); i++) {
        struct CMUnitTest t = {malformed[i].name, test_malformed, NULL, NULL,
                               (void *)&malformed[i]};
        tests[n++] = t;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
