/*
 * A fake of Intel's DCAP quote library (libsgx_dcap_ql.so.1) for the hardware backend's tests: the same exported
 * functions with the same C signatures (sgx_dcap_ql_wrapper.h, and the core sgx_ql_* functions of
 * libsgx_qe3_logic that aesmd calls), no SGX. Built by the tests at test time:
 *
 *     cc -shared -fPIC -o libfake_dcap_ql.so fake_dcap_ql.c
 *
 * What it does: a fixed QE target info; the attestation key "exists" after init (before it, 0xE00F as in-proc
 * DCAP); v3 quotes in Intel's layout (dcap-quote.md §1) with the app report body copied in, a deterministic fake
 * signature, a fixed attestation public key, a QE report whose report_data is SHA256(public key || auth data) || 0^32,
 * auth data 00..1F and certification data type 5 (a short PEM text with its trailing NUL); the QE report for the app
 * (sgx_ql_get_quote with qe_report_info) binds SHA256(nonce || quote). Nothing is really signed or MACed: report
 * MACs are not checked.
 *
 * Control (fake_dcap_*): make any function return a chosen quote3_error_t, slow every call down, count calls,
 * record the largest number of calls in flight at once, and write a wrong signature_data_len (a broken library). State is per loaded copy of the file; the tests copy the
 * built library to a new file name per test so that each test has its own.
 */
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#define EXPORT __attribute__((visibility("default")))

/* quote3_error_t values used here (sgx_ql_lib_common.h). */
#define SGX_QL_SUCCESS 0x0000u
#define SGX_QL_ERROR_INVALID_PARAMETER 0xE002u
#define SGX_QL_ATT_KEY_NOT_INITIALIZED 0xE00Fu
#define SGX_QL_UNSUPPORTED_LOADING_POLICY 0xE00Cu

/* Functions the control API names; the numbers are the FakeDcapFunction enum of the tests. */
enum {
    FN_QE_GET_TARGET_INFO = 0,
    FN_QE_GET_QUOTE_SIZE = 1,
    FN_QE_GET_QUOTE = 2,
    FN_QE_SET_ENCLAVE_LOAD_POLICY = 3,
    FN_QE_CLEANUP_BY_POLICY = 4,
    FN_QL_SET_PATH = 5,
    FN_QL_INIT_QUOTE = 6,
    FN_QL_GET_QUOTE_SIZE = 7,
    FN_QL_GET_QUOTE = 8,
    FN_COUNT = 9
};

#define QE_SVN 9
#define PCE_SVN 14
#define TARGET_INFO_SIZE 512
#define REPORT_SIZE 432
#define REPORT_BODY_SIZE 384
#define QE_REPORT_INFO_SIZE 960
#define AUTH_DATA_SIZE 32

static const char CERT_CHAIN[] =
    "-----BEGIN CERTIFICATE-----\nRkFLRSBQQ0sgQ0VSVElGSUNBVEU=\n-----END CERTIFICATE-----\n";
#define CERT_DATA_SIZE ((uint32_t)sizeof(CERT_CHAIN)) /* includes the trailing NUL, as real quotes do */
#define QUOTE_SIZE (1052u + CERT_DATA_SIZE)

static uint32_t g_results[FN_COUNT];
static uint32_t g_calls[FN_COUNT];
static uint32_t g_delay_ms;
static int g_in_flight;
static int g_max_in_flight;
static bool g_key_ready;
static uint32_t g_policy = 0xFFFFFFFFu;
static bool g_override_signature_length;
static uint32_t g_signature_length;
static char g_paths[4][512];

/* ---- SHA-256 (FIPS 180-4), enough for report_data ---- */

typedef struct { uint32_t h[8]; uint8_t block[64]; size_t used; uint64_t total; } sha256_t;

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_compress(sha256_t *s, const uint8_t *p)
{
    uint32_t w[64], a, b, c, d, e, f, g, h;
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    a = s->h[0]; b = s->h[1]; c = s->h[2]; d = s->h[3]; e = s->h[4]; f = s->h[5]; g = s->h[6]; h = s->h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
        uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
    }
    s->h[0] += a; s->h[1] += b; s->h[2] += c; s->h[3] += d; s->h[4] += e; s->h[5] += f; s->h[6] += g; s->h[7] += h;
}

static void sha256_init(sha256_t *s)
{
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(s->h, iv, sizeof(iv));
    s->used = 0;
    s->total = 0;
}

static void sha256_update(sha256_t *s, const uint8_t *p, size_t n)
{
    s->total += n;
    while (n > 0) {
        size_t take = 64 - s->used < n ? 64 - s->used : n;
        memcpy(s->block + s->used, p, take);
        s->used += take; p += take; n -= take;
        if (s->used == 64) { sha256_compress(s, s->block); s->used = 0; }
    }
}

static void sha256_final(sha256_t *s, uint8_t out[32])
{
    uint64_t bits = s->total * 8;
    uint8_t pad = 0x80, zero = 0, len[8];
    sha256_update(s, &pad, 1);
    while (s->used != 56) sha256_update(s, &zero, 1);
    for (int i = 0; i < 8; i++) len[i] = (uint8_t)(bits >> (56 - 8 * i));
    sha256_update(s, len, 8);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (uint8_t)(s->h[i] >> 24); out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(s->h[i] >> 8); out[4 * i + 3] = (uint8_t)s->h[i];
    }
}

/* ---- helpers ---- */

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }

/* Every call: count it, track overlap, sleep if asked; the caller returns the forced result when there is one. */
static uint32_t enter(int fn)
{
    __atomic_add_fetch(&g_calls[fn], 1, __ATOMIC_SEQ_CST);
    int now = __atomic_add_fetch(&g_in_flight, 1, __ATOMIC_SEQ_CST);
    int seen = __atomic_load_n(&g_max_in_flight, __ATOMIC_SEQ_CST);
    while (now > seen && !__atomic_compare_exchange_n(&g_max_in_flight, &seen, now, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
    }
    uint32_t delay = __atomic_load_n(&g_delay_ms, __ATOMIC_SEQ_CST);
    if (delay > 0) {
        struct timespec ts = {delay / 1000, (long)(delay % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    return __atomic_load_n(&g_results[fn], __ATOMIC_SEQ_CST);
}

static uint32_t leave(uint32_t result)
{
    __atomic_sub_fetch(&g_in_flight, 1, __ATOMIC_SEQ_CST);
    return result;
}

static void fill_target_info(uint8_t *ti)
{
    memset(ti, 0, TARGET_INFO_SIZE);
    for (int i = 0; i < 32; i++) ti[i] = (uint8_t)(0xA0 + i); /* mr_enclave */
    put32(ti + 32, 0x15);                                       /* attributes.flags: INIT | MODE64BIT | PROVISION_KEY */
    put32(ti + 40, 0xE7);                                       /* attributes.xfrm */
}

static void attestation_public_key(uint8_t key[64]) { for (int i = 0; i < 64; i++) key[i] = (uint8_t)(0x40 + i); }

static void public_key_id(uint8_t out[32])
{
    uint8_t key[64], auth[AUTH_DATA_SIZE];
    sha256_t s;
    attestation_public_key(key);
    for (int i = 0; i < AUTH_DATA_SIZE; i++) auth[i] = (uint8_t)i;
    sha256_init(&s);
    sha256_update(&s, key, sizeof(key));
    sha256_update(&s, auth, sizeof(auth));
    sha256_final(&s, out);
}

static uint32_t make_quote(const uint8_t *report, uint8_t *quote, uint32_t quote_size)
{
    if (report == NULL || quote == NULL) return SGX_QL_ERROR_INVALID_PARAMETER;
    if (!g_key_ready) return SGX_QL_ATT_KEY_NOT_INITIALIZED;
    if (quote_size < QUOTE_SIZE) return SGX_QL_ERROR_INVALID_PARAMETER;

    uint8_t *q = quote;
    memset(q, 0, QUOTE_SIZE);
    /* Header (dcap-quote.md §1.2). */
    put16(q + 0, 3);
    put16(q + 2, 2);
    put16(q + 8, QE_SVN);
    put16(q + 10, PCE_SVN);
    static const uint8_t vendor[16] = {0x93, 0x9A, 0x72, 0x33, 0xF7, 0x9C, 0x4C, 0xA9,
                                       0x94, 0x0A, 0x0D, 0xB3, 0x95, 0x7F, 0x06, 0x07};
    memcpy(q + 12, vendor, 16);
    for (int i = 0; i < 16; i++) q[28 + i] = (uint8_t)(0xD0 + i); /* QE_ID */
    /* The app's report body. */
    memcpy(q + 48, report, REPORT_BODY_SIZE);
    put32(q + 432, QUOTE_SIZE - 436);
    /* "Signature": SHA256(header || body) twice, deterministic. */
    sha256_t s;
    sha256_init(&s);
    sha256_update(&s, q, 432);
    sha256_final(&s, q + 436);
    memcpy(q + 468, q + 436, 32);
    attestation_public_key(q + 500);
    /* QE report body: QE identity, report_data = SHA256(public key || auth data) || 0^32. */
    uint8_t *qe = q + 564;
    put32(qe + 48, 0x15);
    put32(qe + 56, 0xE7);
    static const uint8_t qe3_signer[32] = {0x8c, 0x4f, 0x57, 0x75, 0xd7, 0x96, 0x50, 0x3e, 0x96, 0x13, 0x7f,
                                           0x77, 0xc6, 0x8a, 0x82, 0x9a, 0x00, 0x56, 0xac, 0x8d, 0xed, 0x70,
                                           0x14, 0x0b, 0x08, 0x1b, 0x09, 0x44, 0x90, 0xc5, 0x7b, 0xff};
    for (int i = 0; i < 32; i++) qe[64 + i] = (uint8_t)(0xA0 + i);
    memcpy(qe + 128, qe3_signer, 32);
    put16(qe + 256, 1);
    put16(qe + 258, QE_SVN);
    public_key_id(qe + 320);
    memset(q + 948, 0x5C, 64); /* "PCK signature" */
    put16(q + 1012, AUTH_DATA_SIZE);
    for (int i = 0; i < AUTH_DATA_SIZE; i++) q[1014 + i] = (uint8_t)i;
    put16(q + 1046, 5);
    put32(q + 1048, CERT_DATA_SIZE);
    memcpy(q + 1052, CERT_CHAIN, CERT_DATA_SIZE);
    if (g_override_signature_length) put32(q + 432, g_signature_length);
    return SGX_QL_SUCCESS;
}

/* The QE report for the app: report_data = SHA256(nonce || quote) || 0^32, "made for" the app's target info. */
static void fill_qe_report(uint8_t *info, const uint8_t *quote)
{
    uint8_t *report = info + 528;
    sha256_t s;
    memset(report, 0, REPORT_SIZE);
    put16(report + 258, QE_SVN);
    sha256_init(&s);
    sha256_update(&s, info, 16);
    sha256_update(&s, quote, QUOTE_SIZE);
    sha256_final(&s, report + 320);
    memcpy(report + 384, info + 16, 32); /* key_id: the target's MRENCLAVE, so tests can see which target was used */
    memset(report + 416, 0x3C, 16);      /* "MAC" */
}

/* ---- libsgx_dcap_ql.so.1 (sgx_dcap_ql_wrapper.h) ---- */

EXPORT uint32_t sgx_qe_set_enclave_load_policy(uint32_t policy)
{
    uint32_t forced = enter(FN_QE_SET_ENCLAVE_LOAD_POLICY);
    if (forced) return leave(forced);
    if (policy > 1) return leave(SGX_QL_UNSUPPORTED_LOADING_POLICY);
    g_policy = policy;
    return leave(SGX_QL_SUCCESS);
}

EXPORT uint32_t sgx_qe_get_target_info(uint8_t *p_qe_target_info)
{
    uint32_t forced = enter(FN_QE_GET_TARGET_INFO);
    if (forced) return leave(forced);
    if (p_qe_target_info == NULL) return leave(SGX_QL_ERROR_INVALID_PARAMETER);
    fill_target_info(p_qe_target_info);
    g_key_ready = true;
    return leave(SGX_QL_SUCCESS);
}

EXPORT uint32_t sgx_qe_get_quote_size(uint32_t *p_quote_size)
{
    uint32_t forced = enter(FN_QE_GET_QUOTE_SIZE);
    if (forced) return leave(forced);
    if (p_quote_size == NULL) return leave(SGX_QL_ERROR_INVALID_PARAMETER);
    if (!g_key_ready) return leave(SGX_QL_ATT_KEY_NOT_INITIALIZED);
    *p_quote_size = QUOTE_SIZE;
    return leave(SGX_QL_SUCCESS);
}

EXPORT uint32_t sgx_qe_get_quote(const uint8_t *p_app_report, uint32_t quote_size, uint8_t *p_quote)
{
    uint32_t forced = enter(FN_QE_GET_QUOTE);
    if (forced) return leave(forced);
    return leave(make_quote(p_app_report, p_quote, quote_size));
}

EXPORT uint32_t sgx_qe_cleanup_by_policy(void)
{
    uint32_t forced = enter(FN_QE_CLEANUP_BY_POLICY);
    return leave(forced ? forced : SGX_QL_SUCCESS);
}

EXPORT uint32_t sgx_ql_set_path(uint32_t path_type, const char *p_path)
{
    uint32_t forced = enter(FN_QL_SET_PATH);
    if (forced) return leave(forced);
    struct stat info;
    /* As Intel's: the path must name an existing file. */
    if (p_path == NULL || path_type > 3 || stat(p_path, &info) != 0 || strlen(p_path) >= sizeof(g_paths[0]))
        return leave(SGX_QL_ERROR_INVALID_PARAMETER);
    strcpy(g_paths[path_type], p_path);
    return leave(SGX_QL_SUCCESS);
}

/* ---- libsgx_qe3_logic core functions (sgx_ql_core_wrapper.h), as aesmd calls them ---- */

EXPORT uint32_t sgx_ql_init_quote(const uint8_t *p_att_key_id, uint8_t *p_qe_target_info, bool refresh_att_key,
                                  size_t *p_pub_key_id_size, uint8_t *p_pub_key_id)
{
    (void)p_att_key_id;
    (void)refresh_att_key;
    uint32_t forced = enter(FN_QL_INIT_QUOTE);
    if (forced) return leave(forced);
    if (p_pub_key_id_size == NULL) return leave(SGX_QL_ERROR_INVALID_PARAMETER);
    if (p_pub_key_id == NULL) {
        *p_pub_key_id_size = 32;
        return leave(SGX_QL_SUCCESS);
    }
    if (p_qe_target_info == NULL || *p_pub_key_id_size < 32) return leave(SGX_QL_ERROR_INVALID_PARAMETER);
    fill_target_info(p_qe_target_info);
    public_key_id(p_pub_key_id);
    *p_pub_key_id_size = 32;
    g_key_ready = true;
    return leave(SGX_QL_SUCCESS);
}

EXPORT uint32_t sgx_ql_get_quote_size(const uint8_t *p_att_key_id, uint32_t *p_quote_size)
{
    (void)p_att_key_id;
    uint32_t forced = enter(FN_QL_GET_QUOTE_SIZE);
    if (forced) return leave(forced);
    if (p_quote_size == NULL) return leave(SGX_QL_ERROR_INVALID_PARAMETER);
    if (!g_key_ready) return leave(SGX_QL_ATT_KEY_NOT_INITIALIZED);
    *p_quote_size = QUOTE_SIZE;
    return leave(SGX_QL_SUCCESS);
}

EXPORT uint32_t sgx_ql_get_quote(const uint8_t *p_app_report, const uint8_t *p_att_key_id, uint8_t *p_qe_report_info,
                                 uint8_t *p_quote, uint32_t quote_size)
{
    (void)p_att_key_id;
    uint32_t forced = enter(FN_QL_GET_QUOTE);
    if (forced) return leave(forced);
    uint32_t result = make_quote(p_app_report, p_quote, quote_size);
    if (result == SGX_QL_SUCCESS && p_qe_report_info != NULL) fill_qe_report(p_qe_report_info, p_quote);
    return leave(result);
}

/* ---- control ---- */

EXPORT void fake_dcap_set_result(int fn, uint32_t result)
{
    if (fn >= 0 && fn < FN_COUNT) __atomic_store_n(&g_results[fn], result, __ATOMIC_SEQ_CST);
}

EXPORT void fake_dcap_set_delay_ms(uint32_t ms) { __atomic_store_n(&g_delay_ms, ms, __ATOMIC_SEQ_CST); }

EXPORT uint32_t fake_dcap_calls(int fn) { return fn >= 0 && fn < FN_COUNT ? __atomic_load_n(&g_calls[fn], __ATOMIC_SEQ_CST) : 0; }

EXPORT int fake_dcap_max_in_flight(void) { return __atomic_load_n(&g_max_in_flight, __ATOMIC_SEQ_CST); }

EXPORT uint32_t fake_dcap_policy(void) { return g_policy; }

EXPORT const char *fake_dcap_path(int type) { return type >= 0 && type < 4 ? g_paths[type] : ""; }

EXPORT void fake_dcap_override_signature_data_length(uint32_t value)
{
    g_signature_length = value;
    g_override_signature_length = true;
}

EXPORT uint32_t fake_dcap_quote_size(void) { return QUOTE_SIZE; }
