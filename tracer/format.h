/*
 * The trace file's building blocks, shared by the writer and the reader.
 * The format is specified in docs/trace-format.md.
 */
#ifndef CLAB_FORMAT_H
#define CLAB_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#define CLAB_FMT_MAGIC                                                         \
	"\x89"                                                                 \
	"CLT\r\n\x1a\n"
#define CLAB_FMT_MAGIC_LEN 8
#define CLAB_FMT_MAJOR 1
/*
 * The minor version written: 1.1 added call stacks, 1.2 the content
 * checksum in the end chunk, 1.3 put the file header under it too, 1.4
 * the signature chunk after the end chunk, 1.5 the zstd codec for record
 * chunks, 1.6 records without a time delta (CLAB_CODEC_LAZY) and the
 * DIGEST chunk, 1.7 repeated records (CLAB_CODEC_REPEAT), 1.8 holds
 * (CLAB_CODEC_HOLDS).  A trace with zstd chunks is written as 1.8, signed
 * or not, and its record chunks are in the 1.8 form; with zlib or none, a trace
 * without a signature is written as 1.3 (it is what a 1.3 writer wrote), a
 * signed one as 1.4. Readers read every 1.x.
 */
#define CLAB_FMT_MINOR 3
#define CLAB_FMT_MINOR_SIGNED 4
/* A trace whose record chunks may be compressed with zstd (codec 2). */
#define CLAB_FMT_MINOR_ZSTD 5
/*
 * 1.6: record chunks may leave out interpolated times (codec flag 0x40),
 * and a DIGEST chunk before the end chunk; both in zstd traces.
 */
#define CLAB_FMT_MINOR_LAZY 6
#define CLAB_FMT_MINOR_DIGEST CLAB_FMT_MINOR_LAZY
/* 1.7: record chunks of zstd traces may repeat records (codec flag 0x20). */
#define CLAB_FMT_MINOR_REPEAT 7
/* 1.8: record chunks of zstd traces may hold holds (codec flag 0x10). */
#define CLAB_FMT_MINOR_HOLDS 8
/* The first minor version whose content checksum covers the file header. */
#define CLAB_FMT_MINOR_HDRSUM 3
#define CLAB_FMT_HDR_LEN 16   /* magic, u16 major, u16 minor, u32 flags */
#define CLAB_CHUNK_HDR_LEN 12 /* u32 type, u32 length, u32 crc */
#define CLAB_CHUNK_MAX (64u << 20)
/* Longest metadata value (a controlled run's schedule); names: 64 KiB. */
#define CLAB_META_VALUE_MAX (16u << 20)

enum clab_chunk_type {
	CLAB_CH_META = 1,
	CLAB_CH_THREADS = 2,
	CLAB_CH_OBJECTS = 3,
	CLAB_CH_SITES = 4,
	CLAB_CH_EVENTS = 5,
	CLAB_CH_END = 6,
	CLAB_CH_STACKS = 7,    /* since 1.1 */
	CLAB_CH_SIGNATURE = 8, /* since 1.4: after the end chunk */
	CLAB_CH_DIGEST = 9,    /* since 1.6: just before the end chunk */
};

/*
 * The DIGEST chunk's payload (docs/trace-format.md): u8 flags, varint
 * records, the records per kind and the diagnostics per code (each a
 * varint n and n pairs of varints: number, count), the counts below in
 * this order, and varint n edges and n pairs of varint object ids.
 */
#define CLAB_DIGEST_PARTIAL 1 /* flag: written by a rescue, never trusted */
/*
 * flag: the locks were not followed to the end (a thread held more than
 * CLAB_DIGEST_HELD_MAX locks and permits at once, or the edges were more
 * than CLAB_DIGEST_EDGES_MAX): the edges and the counts of waits while
 * holding and of locks held at an end are not whole, and the digest
 * proves nothing.
 */
#define CLAB_DIGEST_UNFOLLOWED 2
#define CLAB_DIGEST_HELD_MAX 64
#define CLAB_DIGEST_EDGES_MAX (1u << 20)
enum clab_digest_count {
	CLAB_DG_JUDGED_WAITS,	/* waits the starvation check judges */
	CLAB_DG_FAILED,		/* failed non-blocking attempts, timeouts */
	CLAB_DG_WAITS_HOLDING,	/* waits begun while holding a lock */
	CLAB_DG_SELF_REQUESTS,	/* requests of a lock the thread holds */
	CLAB_DG_UNENDED,	/* threads (but the first) started, not ended */
	CLAB_DG_HELD_AT_EXIT,	/* threads that ended holding a lock */
	CLAB_DG_HELD_AT_END,	/* threads holding a lock at the close */
	CLAB_DG_WAITING_AT_END, /* threads in a wait at the close */
	CLAB_DIGEST_NCOUNTS
};
/*
 * After the edges, the waits (a digest without them is read as one whose
 * waits were not followed): u8 flags (CLAB_DIGEST_WAITS_*), varint waits
 * ended (judged ones, that their own thread ended), varint those of them
 * no longer than CLAB_DIGEST_SHORT_WAIT_NS, varint n threads, and n
 * triples of varints: tid, its longest such wait (ns), the object of it.
 */
#define CLAB_DIGEST_WAITS_FOLLOWED 1	     /* the section holds every wait */
#define CLAB_DIGEST_SHORT_WAIT_NS 100000000u /* 1 s / 10 medians */
#define CLAB_DIGEST_WAITERS_MAX (1u << 16)   /* threads with a wait listed */

/*
 * The signature chunk's payload: u8 algorithm, the key id, the MAC.  The
 * MAC is keyed BLAKE2b-256 (libsodium's crypto_generichash) with the
 * BLAKE2b-256 hash of the key file's bytes as its key, over every byte of
 * the file before the signature chunk and then the algorithm and key id.
 * The key id is keyed BLAKE2b-128 of "conclab key id" with the same key.
 */
#define CLAB_SIG_ALG_BLAKE2B 1
#define CLAB_SIG_KEYID_LEN 16
#define CLAB_SIG_MAC_LEN 32
#define CLAB_SIG_LEN (1 + CLAB_SIG_KEYID_LEN + CLAB_SIG_MAC_LEN)

/*
 * A compressed record chunk holds at most this many records per byte of
 * its compressed data, so that a small file cannot inflate to a huge
 * number of records (writers fall back to raw data).
 */
#define CLAB_RECS_PER_ZBYTE 16

enum clab_codec {
	CLAB_CODEC_RAW = 0,
	CLAB_CODEC_ZLIB = 1,
	CLAB_CODEC_ZSTD = 2, /* since 1.5 */
	/*
	 * flag (since 1.8), with CLAB_CODEC_REPEAT and CLAB_CODEC_LAZY and
	 * without CLAB_CODEC_STACKS: a record whose kind byte is CLAB_REC_HOLD
	 * (with CLAB_REC_LAZY: it has no time delta) is two, a mutex's acquire
	 * and its release (a hold): the acquire's fields (site, object,
	 * sequence, how, depth), then the release's site; the release has
	 * the acquire's object, the next sequence number, how CLAB_HOW_BLOCK
	 * and depth 0.  At its site slot a hold is kept with the release's
	 * site as its val, and repeats as a hold.  The chunk's record count
	 * counts both.
	 */
	CLAB_CODEC_HOLDS = 0x10,
	/*
	 * flag (since 1.7): a record whose kind byte is 0 (but for
	 * CLAB_REC_LAZY) repeats the last record at its site slot, with
	 * an object of its own (CLAB_REPEAT_*)
	 */
	CLAB_CODEC_REPEAT = 0x20,
	/*
	 * flag (since 1.6): a record whose kind byte has CLAB_REC_LAZY set
	 * has no time delta; its time is interpolated (clab_lerp)
	 */
	CLAB_CODEC_LAZY = 0x40,
	/* flag (since 1.1): every record has a varint stack id at its end */
	CLAB_CODEC_STACKS = 0x80,
	CLAB_CODEC_FLAGS = CLAB_CODEC_HOLDS | CLAB_CODEC_REPEAT |
			   CLAB_CODEC_LAZY | CLAB_CODEC_STACKS,
};

/*
 * In a CLAB_CODEC_HOLDS chunk, the kind byte of a hold: a number no kind
 * has (kinds.h leaves it out).
 */
#define CLAB_REC_HOLD 119u

/* In a CLAB_CODEC_LAZY chunk, the kind byte's bit of a record without dt. */
#define CLAB_REC_LAZY 0x80

/*
 * A CLAB_CODEC_REPEAT chunk's two tables, empty at its start: the last
 * record at each site slot (site id % CLAB_REPEAT_SLOTS: its site, kind,
 * a8, a32 and val), and the last object of each object entry (object id
 * % CLAB_REPEAT_OBJS, 0 until one is there).  A repeated record is its
 * kind byte (0, or CLAB_REC_LAZY), its dt unless lazy, a code byte (the
 * slot in its low 4 bits; in its high 4, 0 when the object follows as a
 * varint, else 1 + the object's entry) and that varint; it has its slot's
 * fields, the next sequence number of its object and no stack.
 */
#define CLAB_REPEAT_SLOTS 16u
#define CLAB_REPEAT_OBJS 15u
_Static_assert((CLAB_REPEAT_OBJS + 1) * CLAB_REPEAT_SLOTS == 256,
	       "a slot and an object entry (or none) in a code byte");

/* A slot: the last record there (kind 0 while there is none). */
struct clab_repeat_slot {
	uint32_t site;
	uint8_t kind, a8;
	uint32_t a32;
	int64_t val;
};

/*
 * The times of the records between two stamped ones: gap - 1 records
 * without a stamp after a record at from, before the next stamp at to,
 * spread evenly, the k-th at from + floor((to - from) * k / gap), with one
 * division for them all.  The writer gives its records these times and a
 * reader of a CLAB_CODEC_LAZY chunk computes them again, by this very
 * code, so that both agree to the nanosecond.
 */
struct clab_lerp {
	uint64_t at, q, r, rest, gap;
};

static inline void clab_lerp_init(struct clab_lerp *l, uint64_t from,
				  uint64_t to, uint64_t gap)
{
	uint64_t d = to - from;
	l->at = from;
	l->q = d / gap;
	l->r = d % gap;
	l->rest = 0;
	l->gap = gap;
}

/* The time of the next record after a clab_lerp_init (k = 1, 2, ...). */
static inline uint64_t clab_lerp_next(struct clab_lerp *l)
{
	l->at += l->q;
	l->rest += l->r;
	if (l->rest >= l->gap) {
		l->at++;
		l->rest -= l->gap;
	}
	return l->at;
}

/* A growable output buffer; a failed allocation sets oom. */
struct clab_wbuf {
	uint8_t *p;
	size_t len, cap;
	int oom;
};

void clab_wbuf_reserve(struct clab_wbuf *b, size_t more);
void clab_wbuf_put(struct clab_wbuf *b, const void *data, size_t n);
void clab_wbuf_u8(struct clab_wbuf *b, unsigned v);
void clab_wbuf_u16le(struct clab_wbuf *b, unsigned v);
void clab_wbuf_u32le(struct clab_wbuf *b, uint32_t v);
void clab_wbuf_uv(struct clab_wbuf *b, uint64_t v);
void clab_wbuf_sv(struct clab_wbuf *b, int64_t v);
void clab_wbuf_str(struct clab_wbuf *b, const char *s);
void clab_wbuf_free(struct clab_wbuf *b);

/* A bounded input cursor; any overrun or malformed value sets err. */
struct clab_rbuf {
	const uint8_t *p, *end;
	int err;
};

unsigned clab_rbuf_u8(struct clab_rbuf *b);
uint32_t clab_rbuf_u32le(const uint8_t *p);
uint16_t clab_rbuf_u16le(const uint8_t *p);
uint64_t clab_rbuf_uv(struct clab_rbuf *b);
int64_t clab_rbuf_sv(struct clab_rbuf *b);
/* A length-prefixed string copied to a new NUL-terminated buffer. */
char *clab_rbuf_str(struct clab_rbuf *b);
/* The same for a string of at most max bytes (names: CLAB_NAME_MAX). */
#define CLAB_NAME_MAX 65536
char *clab_rbuf_str_max(struct clab_rbuf *b, uint64_t max);
/*
 * A string of at most max bytes as it is in b, not copied (*len its bytes,
 * no NUL), or NULL with b->err set; clab_name_byte() is how a copy shows
 * each of its bytes (a control byte as '?').
 */
const uint8_t *clab_rbuf_str_raw(struct clab_rbuf *b, uint64_t max,
				 size_t *len);
char clab_name_byte(uint8_t c);

/* CRC-32 (zlib's) of a chunk: its type and length, then its payload. */
uint32_t clab_chunk_crc(uint32_t type, uint32_t len, const uint8_t *payload);

/*
 * The same from the CRC-32 of the payload alone (pcrc), and the running
 * CRC-32 of a file's chunks (the end chunk's checksum) carried past a
 * chunk whose 12-byte header is hdr: the payload is read once for both.
 */
uint32_t clab_chunk_crc_from(uint32_t type, uint32_t len, uint32_t pcrc);
/*
 * The other way: the payload's CRC-32 that a chunk's checksum (crc, of its
 * type, length and payload) stands for, without reading the payload (CRC
 * is linear: crc is a function of the header's CRC, xored with it).
 */
uint32_t clab_chunk_pcrc_of(uint32_t type, uint32_t len, uint32_t crc);
uint32_t clab_chunk_crc_past(uint32_t content, const uint8_t *hdr, uint32_t len,
			     uint32_t pcrc);

/*
 * A running keyed MAC over the bytes of a trace (sign.c).  The state is
 * aligned as libsodium's crypto_generichash_state needs; it is kept
 * opaque here so that the reader and tests need not include sodium.h.
 */
struct clab__signer {
	_Alignas(64) unsigned char state[384];
	uint8_t keyid[CLAB_SIG_KEYID_LEN];
};

/*
 * Start a MAC with the key (at least CLAB_KEY_MIN bytes).  Returns 0,
 * CLAB_EINVAL for a short key, or CLAB_EIO when libsodium cannot start.
 */
int clab__sign_init(struct clab__signer *s, const void *key, size_t len);
void clab__sign_update(struct clab__signer *s, const void *p, size_t n);
/* The signature chunk's payload; wipes the state. */
void clab__sign_final(struct clab__signer *s, uint8_t out[CLAB_SIG_LEN]);
/* Forget the key (a signer that was never started is fine too). */
void clab__sign_wipe(struct clab__signer *s);

#endif
