/*
 * HMAC-SHA256 (FIPS 180-4, RFC 2104) for the suites that play Chatwoot and sign webhook
 * deliveries: `sig` receives "sha256=" and 64 lowercase hex digits, as X-Chatwoot-Signature
 * carries them. Test code only (the library verifies with its own, constant-time, HMAC);
 * C11 and C++17.
 */
#ifndef COMMBOX_TEST_HMAC_SHA256_H
#define COMMBOX_TEST_HMAC_SHA256_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    uint32_t h[8];
    uint64_t len;
    unsigned char buf[64];
    size_t used;
} test_sha256;

static const uint32_t test_sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static inline uint32_t test_ror(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

static inline void test_sha256_block(test_sha256 *s, const unsigned char *p) {
    uint32_t w[64], a, b, c, d, e, f, g, h;
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 |
               (uint32_t)p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = test_ror(w[i - 15], 7) ^ test_ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = test_ror(w[i - 2], 17) ^ test_ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4], f = s->h[5], g = s->h[6], h = s->h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = h + (test_ror(e, 6) ^ test_ror(e, 11) ^ test_ror(e, 25)) + ((e & f) ^ (~e & g)) +
                      test_sha256_k[i] + w[i];
        uint32_t t2 = (test_ror(a, 2) ^ test_ror(a, 13) ^ test_ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
    }
    s->h[0] += a, s->h[1] += b, s->h[2] += c, s->h[3] += d, s->h[4] += e, s->h[5] += f, s->h[6] += g,
        s->h[7] += h;
}

static inline void test_sha256_init(test_sha256 *s) {
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(s->h, iv, sizeof iv);
    s->len = 0;
    s->used = 0;
}

static inline void test_sha256_update(test_sha256 *s, const void *data, size_t n) {
    const unsigned char *p = (const unsigned char *)data;
    s->len += n;
    while (n > 0) {
        size_t take = 64 - s->used < n ? 64 - s->used : n;
        memcpy(s->buf + s->used, p, take);
        s->used += take, p += take, n -= take;
        if (s->used == 64) {
            test_sha256_block(s, s->buf);
            s->used = 0;
        }
    }
}

static inline void test_sha256_final(test_sha256 *s, unsigned char out[32]) {
    uint64_t bits = s->len * 8;
    unsigned char pad = 0x80, zero = 0, len[8];
    test_sha256_update(s, &pad, 1);
    while (s->used != 56) test_sha256_update(s, &zero, 1);
    for (int i = 0; i < 8; i++) len[i] = (unsigned char)(bits >> (56 - 8 * i));
    test_sha256_update(s, len, 8);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (unsigned char)(s->h[i] >> 24);
        out[4 * i + 1] = (unsigned char)(s->h[i] >> 16);
        out[4 * i + 2] = (unsigned char)(s->h[i] >> 8);
        out[4 * i + 3] = (unsigned char)s->h[i];
    }
}

/* sig = "sha256=" + hex(HMAC-SHA256(secret, timestamp "." body)); sig has 72 bytes. */
static inline void chatwoot_sign(const char *secret, const char *timestamp, const void *body, size_t body_len,
                                 char sig[72]) {
    unsigned char key[64] = {0}, ipad[64], opad[64], inner[32], mac[32];
    size_t klen = strlen(secret);
    test_sha256 s;
    if (klen > 64) {
        test_sha256_init(&s);
        test_sha256_update(&s, secret, klen);
        test_sha256_final(&s, key);
    } else {
        memcpy(key, secret, klen);
    }
    for (int i = 0; i < 64; i++) {
        ipad[i] = (unsigned char)(key[i] ^ 0x36);
        opad[i] = (unsigned char)(key[i] ^ 0x5c);
    }
    test_sha256_init(&s);
    test_sha256_update(&s, ipad, 64);
    test_sha256_update(&s, timestamp, strlen(timestamp));
    test_sha256_update(&s, ".", 1);
    test_sha256_update(&s, body, body_len);
    test_sha256_final(&s, inner);
    test_sha256_init(&s);
    test_sha256_update(&s, opad, 64);
    test_sha256_update(&s, inner, 32);
    test_sha256_final(&s, mac);
    memcpy(sig, "sha256=", 7);
    for (int i = 0; i < 32; i++) snprintf(sig + 7 + 2 * i, 3, "%02x", mac[i]);
}

#endif
