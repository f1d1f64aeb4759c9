/* hostile_cases.c — the table of broken safetensors images and how each is built from a valid base:
 * a header text, an optional override of the 8-byte length field, and the data-section size. */
#include "hostile_cases.h"

#include <string.h>

#define T_A "\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}"
#define T_B "\"b\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[16,24]}"

typedef struct recipe {
    const char *header;
    uint64_t length_field; /* 0: the header's real length */
    size_t data_len;
    size_t total_override; /* non-zero: cut the image to this many bytes */
} recipe;

const hostile_case hostile_cases[] = {
    {"empty", NULL, "truncated"},
    {"truncated_length", NULL, "truncated"},
    {"header_beyond_file", NULL, "goes beyond the file"},
    {"header_length_huge", NULL, "goes beyond the file"},
    {"truncated_data", NULL, "goes beyond the file"},
    {"invalid_json", NULL, "invalid JSON header"},
    {"not_object", NULL, "not a JSON object"},
    {"duplicate_key", NULL, "duplicate"},
    {"offsets_out_of_range", "b", "out of range"},
    {"offsets_overlap", "b", "overlap"},
    {"offsets_gap", "b", "gap"},
    {"offsets_tail", NULL, "belong to no tensor"},
    {"offsets_reversed", "b", "data_offsets"},
    {"unknown_dtype", "a", "unknown dtype 'F7'"},
    {"size_mismatch", "a", "is 24 bytes but data_offsets [0, 16] span 16 bytes"},
    {"shape_overflow", "a", "dimension product overflows"},
    {"shape_dtype_overflow", "a", "dimension product overflows"},
    {"shape_negative", "a", "not a non-negative integer"},
    {"shape_too_many_dims", "a", "at most 8"},
    {"missing_dtype", "a", "dtype"},
    {"entry_not_object", "a", "not a JSON object"},
    {"metadata_not_string", NULL, "__metadata__"},
    /* The reference parser multiplies left to right with checked_mul: 2^40 · 2^40 overflows before the 0. */
    {"shape_overflow_then_zero", "a", "dimension product overflows"},
};
const size_t hostile_case_count = sizeof hostile_cases / sizeof hostile_cases[0];

static const recipe recipes[] = {
    {"{" T_A "," T_B "}", 0, 24, 0}, /* empty: cut to 0 bytes in hostile_case_build */
    {"{" T_A "," T_B "}", 0, 24, 5},
    {"{" T_A "," T_B "}", 1000000, 24, 0},
    {"{" T_A "," T_B "}", UINT64_MAX, 24, 0},
    {"{" T_A "," T_B "}", 0, 24, 40}, /* header cut in the middle */
    {"{\"a\":{\"dtype\":\"F32\",", 0, 0, 0},
    {"[1,2,3]", 0, 0, 0},
    {"{" T_A "," T_A "," T_B "}", 0, 24, 0},
    {"{" T_A ",\"b\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[16,32]}}", 0, 24, 0},
    {"{" T_A ",\"b\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[8,16]}}", 0, 24, 0},
    {"{" T_A ",\"b\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[20,28]}}", 0, 28, 0},
    {"{" T_A "," T_B "}", 0, 32, 0},
    {"{" T_A ",\"b\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[24,16]}}", 0, 24, 0},
    {"{\"a\":{\"dtype\":\"F7\",\"shape\":[2,2],\"data_offsets\":[0,16]}," T_B "}", 0, 24, 0},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,16]}," T_B "}", 0, 24, 0},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,16],\"data_offsets\":[0,16]}," T_B "}", 0, 24, 0},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904],\"data_offsets\":[0,16]}," T_B "}", 0, 24, 0},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[-1,2],\"data_offsets\":[0,16]}," T_B "}", 0, 24, 0},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,1,1,1,2,2],\"data_offsets\":[0,16]}," T_B "}", 0, 24, 0},
    {"{\"a\":{\"shape\":[2,2],\"data_offsets\":[0,16]}," T_B "}", 0, 24, 0},
    {"{\"a\":[1,2]," T_B "}", 0, 24, 0},
    {"{\"__metadata__\":{\"format\":1}," T_A "," T_B "}", 0, 24, 0},
    {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1099511627776,1099511627776,0],\"data_offsets\":[0,0]}," T_B "}", 0, 24, 0},
};

static const recipe base = {"{\"__metadata__\":{\"format\":\"pt\"}," T_A "," T_B "}", 0, 24, 0};

int hostile_case_build(size_t i, uint8_t *buf, size_t cap, size_t *len)
{
    const recipe *r = i == SIZE_MAX ? &base : i < hostile_case_count ? &recipes[i] : NULL;
    if (!r)
        return -1;
    const size_t hlen = strlen(r->header), total = 8 + hlen + r->data_len;
    if (total > cap)
        return -1;
    const uint64_t field = r->length_field ? r->length_field : hlen;
    for (int b = 0; b < 8; b++)
        buf[b] = (uint8_t)(field >> (8 * b));
    memcpy(buf + 8, r->header, hlen);
    for (size_t k = 0; k < r->data_len; k++)
        buf[8 + hlen + k] = (uint8_t)(k * 37 + 11); /* arbitrary bytes: only the parser looks at them */
    *len = i == 0 ? 0 : r->total_override ? r->total_override : total;
    return 0;
}
