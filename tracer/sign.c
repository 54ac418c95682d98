/*
 * Signed traces: a keyed MAC over every byte of the file, written by the
 * writer in a signature chunk after the end chunk and checked here.  The
 * format is in docs/trace-format.md ("The SIGNATURE chunk").
 *
 * The MAC is libsodium's crypto_generichash (BLAKE2b) keyed, with the
 * BLAKE2b-256 hash of the key file's bytes as its key, so a key file of
 * any length gives a key of the size BLAKE2b takes.  The key id lets a
 * verifier tell a wrong key from a trace changed after it was signed; it
 * is a keyed hash of a constant, which says nothing about the key.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include <conclab/error.h>
#include <conclab/trace.h>
#include <conclab/tracer.h>

#include "format.h"

_Static_assert(sizeof(crypto_generichash_state) <=
		   sizeof(((struct clab__signer *)0)->state),
	       "struct clab__signer holds a crypto_generichash_state");
_Static_assert(_Alignof(crypto_generichash_state) <= 64,
	       "struct clab__signer's state is aligned enough");

static const char keyid_msg[] = "conclab key id";

/* The MAC key and the key id of the key file's bytes. */
static int derive(const void *key, size_t len,
		  uint8_t mackey[crypto_generichash_KEYBYTES],
		  uint8_t keyid[CLAB_SIG_KEYID_LEN])
{
	if (!key || len < CLAB_KEY_MIN)
		return CLAB_EINVAL;
	if (sodium_init() < 0)
		return CLAB_EIO;
	if (crypto_generichash(mackey, crypto_generichash_KEYBYTES, key, len,
			       NULL, 0) != 0 ||
	    crypto_generichash(keyid, CLAB_SIG_KEYID_LEN,
			       (const unsigned char *)keyid_msg,
			       sizeof(keyid_msg) - 1, mackey,
			       crypto_generichash_KEYBYTES) != 0) {
		sodium_memzero(mackey, crypto_generichash_KEYBYTES);
		return CLAB_EIO;
	}
	return 0;
}

int clab__sign_init(struct clab__signer *s, const void *key, size_t len)
{
	uint8_t mackey[crypto_generichash_KEYBYTES];
	int err = derive(key, len, mackey, s->keyid);
	if (err)
		return err;
	crypto_generichash_state *st = (crypto_generichash_state *)s->state;
	if (crypto_generichash_init(st, mackey, sizeof(mackey),
				    CLAB_SIG_MAC_LEN) != 0)
		err = CLAB_EIO;
	sodium_memzero(mackey, sizeof(mackey));
	return err;
}

void clab__sign_update(struct clab__signer *s, const void *p, size_t n)
{
	crypto_generichash_update((crypto_generichash_state *)s->state, p, n);
}

/* The MAC's end: the algorithm and key id, then the MAC itself. */
static void sign_end(struct clab__signer *s, const uint8_t keyid[],
		     uint8_t out[CLAB_SIG_LEN])
{
	out[0] = CLAB_SIG_ALG_BLAKE2B;
	memcpy(out + 1, keyid, CLAB_SIG_KEYID_LEN);
	clab__sign_update(s, out, 1 + CLAB_SIG_KEYID_LEN);
	crypto_generichash_final((crypto_generichash_state *)s->state,
				 out + 1 + CLAB_SIG_KEYID_LEN,
				 CLAB_SIG_MAC_LEN);
}

void clab__sign_final(struct clab__signer *s, uint8_t out[CLAB_SIG_LEN])
{
	sign_end(s, s->keyid, out);
	clab__sign_wipe(s);
}

void clab__sign_wipe(struct clab__signer *s)
{
	sodium_memzero(s, sizeof(*s));
}

/* st: a clab_sig_status, or a negative error */
static int say(char *errbuf, size_t errlen, int st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int say(char *errbuf, size_t errlen, int st, const char *fmt, ...)
{
	if (errbuf && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(errbuf, errlen, fmt, ap);
		va_end(ap);
	}
	return st;
}

static void hex(char *out, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

int clab_trace_verify(const void *data, size_t len, const char *name,
		      const void *key, size_t keylen, char *errbuf,
		      size_t errlen)
{
	const uint8_t *p = data;
	if (!name)
		name = "trace";
	if (key && keylen < CLAB_KEY_MIN)
		return say(errbuf, errlen, CLAB_EINVAL,
			   "the key has %zu bytes; a key needs %d at least",
			   keylen, CLAB_KEY_MIN);
	if (len < CLAB_FMT_HDR_LEN ||
	    memcmp(p, CLAB_FMT_MAGIC, CLAB_FMT_MAGIC_LEN) != 0)
		return say(errbuf, errlen, CLAB_SIG_MALFORMED,
			   "%s: not a conclab trace", name);
	/*
	 * Find the signature chunk by the chunks' lengths alone: a changed
	 * byte anywhere else is the MAC's to find, and said as such.
	 */
	size_t off = CLAB_FMT_HDR_LEN;
	uint32_t prev = 0;
	for (;;) {
		if (len - off < CLAB_CHUNK_HDR_LEN)
			return say(errbuf, errlen, CLAB_SIG_NONE,
				   "%s: not signed: no signature chunk (the "
				   "file ends at byte %zu without one)",
				   name, len);
		uint32_t type = clab_rbuf_u32le(p + off);
		uint32_t clen = clab_rbuf_u32le(p + off + 4);
		if (clen > len - off - CLAB_CHUNK_HDR_LEN)
			return say(errbuf, errlen, CLAB_SIG_NONE,
				   "%s: not signed: no signature chunk before "
				   "the chunk at byte %zu, which runs past the "
				   "end of the file",
				   name, off);
		if (type == CLAB_CH_SIGNATURE)
			break;
		prev = type;
		off += CLAB_CHUNK_HDR_LEN + clen;
	}
	uint32_t clen = clab_rbuf_u32le(p + off + 4);
	const uint8_t *sig = p + off + CLAB_CHUNK_HDR_LEN;
	size_t end = off + CLAB_CHUNK_HDR_LEN + clen;
	if (prev != CLAB_CH_END)
		return say(errbuf, errlen, CLAB_SIG_MALFORMED,
			   "%s: the signature chunk at byte %zu does not "
			   "follow the end chunk: the trace was rearranged "
			   "after it was signed",
			   name, off);
	if (clen != CLAB_SIG_LEN ||
	    clab_chunk_crc(CLAB_CH_SIGNATURE, clen, sig) !=
		clab_rbuf_u32le(p + off + 8))
		return say(errbuf, errlen, CLAB_SIG_MALFORMED,
			   "%s: the signature chunk at byte %zu is damaged",
			   name, off);
	if (sig[0] != CLAB_SIG_ALG_BLAKE2B)
		return say(errbuf, errlen, CLAB_SIG_MALFORMED,
			   "%s: the signature chunk at byte %zu uses "
			   "algorithm %u, which this conclab does not know",
			   name, off, sig[0]);
	if (end != len)
		return say(errbuf, errlen, CLAB_SIG_APPENDED,
			   "%s: %zu bytes after the signature chunk at byte "
			   "%zu: something was appended after the trace was "
			   "signed",
			   name, len - end, off);
	if (!key)
		return say(errbuf, errlen, CLAB_SIG_SIGNED,
			   "%s: signed (not verified: no key)", name);

	uint8_t mackey[crypto_generichash_KEYBYTES];
	uint8_t keyid[CLAB_SIG_KEYID_LEN];
	int err = derive(key, keylen, mackey, keyid);
	if (err)
		return say(errbuf, errlen, err, "%s: cannot start libsodium",
			   name);
	if (sodium_memcmp(keyid, sig + 1, CLAB_SIG_KEYID_LEN) != 0) {
		char want[2 * CLAB_SIG_KEYID_LEN + 1],
		    got[2 * CLAB_SIG_KEYID_LEN + 1];
		hex(want, sig + 1, CLAB_SIG_KEYID_LEN);
		hex(got, keyid, CLAB_SIG_KEYID_LEN);
		sodium_memzero(mackey, sizeof(mackey));
		return say(errbuf, errlen, CLAB_SIG_WRONG_KEY,
			   "%s: signed with another key (key id %.16s, this "
			   "key's is %.16s)",
			   name, want, got);
	}
	struct clab__signer s;
	crypto_generichash_state *st = (crypto_generichash_state *)s.state;
	int ok = crypto_generichash_init(st, mackey, sizeof(mackey),
					 CLAB_SIG_MAC_LEN) == 0;
	sodium_memzero(mackey, sizeof(mackey));
	uint8_t mac[CLAB_SIG_LEN];
	if (ok) {
		clab__sign_update(&s, p, off);
		sign_end(&s, keyid, mac);
	}
	clab__sign_wipe(&s);
	if (!ok)
		return say(errbuf, errlen, CLAB_EIO,
			   "%s: cannot start libsodium", name);
	if (sodium_memcmp(mac, sig, CLAB_SIG_LEN) != 0)
		return say(errbuf, errlen, CLAB_SIG_MISMATCH,
			   "%s: the signature does not match: the trace was "
			   "changed after it was signed (a byte edited, or "
			   "chunks removed, added or reordered)",
			   name);
	return say(errbuf, errlen, CLAB_SIG_VERIFIED, "%s: signature verified",
		   name);
}
