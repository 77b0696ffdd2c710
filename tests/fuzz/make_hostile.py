#!/usr/bin/env python3
"""Writes the hand-made hostile inputs of tests/fuzz/regress/NAME/hostile_* (the
replay tests feed them to each harness on every ctest run): truncated and lying gzip,
huge claimed dimensions, size products that overflow, invalid UTF-8, deep nesting, NUL
bytes, BOMs, numbers beyond float. Every one must be refused cleanly (or accepted) without
a crash, a leak or a broken promise. Derived from the seed corpus, so run it after
tests/fuzz/make_seeds.sh; it writes only hostile_* files (past findings stay as they are).
Usage: tests/fuzz/make_hostile.py   (Python 3, standard library only)"""
import gzip
import os
import struct
import zlib

here = os.path.dirname(os.path.abspath(__file__))


def w(harness, name, data):
    d = os.path.join(here, 'regress', harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'hostile_' + name), 'wb') as f:
        f.write(data)


def seed(harness, name):
    with open(os.path.join(here, 'corpus', harness, name), 'rb') as f:
        return f.read()


def reseal(b):  # the model file's CRC-32 over everything before it
    return b[:-4] + struct.pack('<I', zlib.crc32(b[:-4]) & 0xffffffff)


# ---- config: text given to tn__session_open_text
xor = seed('config', 'xor.json')
w('config', 'deep_nesting', b'{"name": ' + b'[' * 3000 + b']' * 3000 + b'}')
w('config', 'deep_nesting_unclosed', b'[' * 100000)
big = xor.replace(b'"size": 2', b'"size": 16777216').replace(b'"units": 4', b'"units": 16777216')
assert big != xor
w('config', 'huge_dimensions', big)  # 2^48 weights: TN_ENOMEM, not a crash
w('config', 'invalid_utf8_name', xor.replace(b'"xor"', b'"\xff\xfe\xc0\x80"'))
w('config', 'nul_byte', xor.replace(b'"seed"', b'"se\x00ed"'))
w('config', 'bom', b'\xef\xbb\xbf' + xor)
w('config', 'u0000_in_string', xor.replace(b'"xor"', b'"x\\u0000or"'))
w('config', 'lone_surrogate', xor.replace(b'"xor"', b'"x\\ud800or"'))
w('config', 'duplicate_key', xor.replace(b'"seed"', b'"name": "again", "seed"'))
w('config', 'number_1e400', xor.replace(b'"seed": ', b'"seed": 1e400, "x": '))
w('config', 'absolute_data_paths',
  xor.replace(b'"train": "../data/xor.csv"', b'"train": "/etc/passwd", "test": "/dev/zero"'))
w('config', 'empty', b'')
w('config', 'long_layer_name', xor.replace(b'"units": 4', b'"name": "' + b'n' * 200 + b'", "units": 4'))
w('config', 'truncated', xor[:len(xor) // 2])

# ---- csv: a file's text
w('csv', 'nul_in_value', b'a,b\n1,2\x003\n')
w('csv', 'header_only', b'a,b,c\n')
w('csv', 'bom_only', b'\xef\xbb\xbf')
w('csv', 'float_overflow', b'a\n3.5e38\n1e39\n')
w('csv', 'nan_inf', b'a,b\nnan,1\ninf,2\n-infinity,0x1p128\n')
w('csv', 'duplicate_names', b'x, "x" ,y\n1,2,3\n')
w('csv', 'quote_inside', b'"a"b",c\n1,2\n')
w('csv', 'wide_header', (','.join('c%d' % i for i in range(3000)) + '\n' +
                         ','.join('1' for i in range(3000)) + '\n').encode())
w('csv', 'cr_only', b'a,b\r1,2\r3,4\r')
w('csv', 'ragged', b'a,b\n1,2\n3\n4,5,6\n')
w('csv', 'long_number', b'a\n' + b'1' * 5000 + b'.5\n')
w('csv', 'invalid_utf8_header', b'\xff\xfe,\xc0\x80\n1,2\n')
w('csv', 'control_in_name', b'a\x01,b\n1,2\n')

# ---- idx: a file's bytes, plain or gzip
lab = seed('idx', 'labels_u8')
img = seed('idx', 'images_u8')
gz = gzip.compress(img, mtime=0)
w('idx', 'truncated_gzip', gz[:-9])
w('idx', 'gzip_header_only', gz[:10])
w('idx', 'gzip_trailing_garbage', gz + b'garbage')
w('idx', 'gzip_bad_crc', gz[:-8] + b'\0\0\0\0' + gz[-4:])
w('idx', 'gzip_lying_size', gz[:-4] + b'\xff\xff\xff\xff')
w('idx', 'gzip_of_nothing', gzip.compress(b'', mtime=0))
w('idx', 'gzip_then_second_magic_only', gz + b'\x1f\x8b')
w('idx', 'zlib_not_gzip', zlib.compress(img))
w('idx', 'huge_dims_overflow', b'\x00\x00\x0e\x04' + b'\xff\xff\xff\xff' * 4 + b'\x00' * 16)
w('idx', 'huge_claim_small_file',
  b'\x00\x00\x08\x03' + struct.pack('>III', 60000, 28, 28) + b'\x00' * 100)
w('idx', 'zero_dim', b'\x00\x00\x08\x02\x00\x00\x00\x02\x00\x00\x00\x00')
w('idx', 'five_dims', b'\x00\x00\x08\x05' + b'\x00\x00\x00\x01' * 5 + b'\x07')
w('idx', 'unknown_type', b'\x00\x00\x0a\x01\x00\x00\x00\x01\x00')
w('idx', 'f32_nan', b'\x00\x00\x0d\x01\x00\x00\x00\x01\x7f\xc0\x00\x00')
w('idx', 'f64_too_big_for_float', b'\x00\x00\x0e\x01\x00\x00\x00\x01' + struct.pack('>d', 1e300))
w('idx', 'trailing_byte', lab + b'\x00')
w('idx', 'empty', b'')
w('idx', 'labels_out_of_range',
  b'\x00\x00\x0c\x01\x00\x00\x00\x02\x00\x00\x00\x0a\xff\xff\xff\xff')
# 1000:1 expansion (deflate's limit is 1032:1); 128 KB keeps the fuzzer's executions fast.
w('idx', 'gzip_128k_of_zeros', gzip.compress(b'\x00\x00\x08\x01' + struct.pack('>I', (1 << 17) - 8) +
                                             b'\x00' * ((1 << 17) - 8), mtime=0))

# ---- ratings: a selector byte (fuzz_ratings.c), then the file's text
w('ratings', '65_columns', b'\x01' + ','.join('c%d' % i for i in range(65)).encode() + b'\n')
w('ratings', 'ids_outside_vocab', b'\x01' + b'39 59 5 1\n40 1 5 1\n')
w('ratings', 'negative_id', b'\x03' + b'0 1 5 1\n')
w('ratings', 'number_1e400', b'\x01' + b'1 2 1e400 3\n')
w('ratings', 'fractional_id', b'\x01' + b'1.5 2 5 3\n')
w('ratings', 'rating_beyond_float', b'\x01' + b'1 2 1e39 3\n1 3 5 4\n')
w('ratings', 'nul_byte', b'\x01' + b'1 2\x00 5 3\n')
w('ratings', 'header_only', b'\x01' + b'user,item,rating,timestamp\n')
w('ratings', 'crlf_mixed_blanks', b'\x01' + b'1\t 2  5\t\t3\r\n2 3 4 5\r\n')
w('ratings', 'id_9e15', b'\x01' + b'9e15 2 5 3\n')
w('ratings', 'duplicate_header_columns', b'\x01' + b'user,user,item,rating,timestamp\n1,1,2,5,1\n')
w('ratings', 'first_line_one_field', b'\x00' + b'7\n7\n')
w('ratings', 'all_items_rated', b'\x05' + b''.join(b'1 %d 5 %d\n' % (i, i) for i in range(60)))

# ---- model: a mode byte (fuzz_model.c: 1 reseals the CRC), then a .tnn file
xm = seed('model', 'xor')[1:]
hl = struct.unpack('<I', xm[8:12])[0]
w('model', 'empty', b'')
w('model', 'mode_only', b'\x01')
w('model', 'truncated_half', b'\x01' + xm[:len(xm) // 2])
w('model', 'header_length_huge', b'\x01' + xm[:8] + b'\xff\xff\xff\xff' + xm[12:])
w('model', 'param_count_overflow',
  b'\x01' + reseal(xm[:12 + hl] + struct.pack('<Q', (1 << 62) + 17) + xm[12 + hl + 8:]))
w('model', 'version_0', b'\x01' + xm[:4] + b'\0\0\0\0' + xm[8:])
w('model', 'version_3', b'\x01' + xm[:4] + b'\3\0\0\0' + xm[8:])
w('model', 'nul_in_header', b'\x01' + xm[:20] + b'\x00' + xm[21:])
w('model', 'bad_crc', b'\x00' + xm[:-1] + bytes([xm[-1] ^ 1]))
w('model', 'trailing_bytes', b'\x00' + reseal(xm + b'\0\0\0\0'))
w('model', 'nan_weight_refused', b'\x01' + xm[:12 + hl + 8] + b'\x00\x00\xc0\x7f' + xm[12 + hl + 12:])

# ---- model_header: a selector byte (fuzz_model_header.c), the header, NUL, data text
b = seed('model_header', 'xor_eval')
h, d = b[1:b.index(b'\0', 1)], b[b.index(b'\0', 1) + 1:]
assert b'"shape":[2,4]' in h and b'"format":"csv"' in h and b'"x1"' in h
w('model_header', 'deep_nesting', b'\x00' + b'[' * 5000)
w('model_header', 'huge_shape_claim', b'\x00' + h.replace(b'"shape":[2,4]', b'"shape":[16777216,16777216]'))
w('model_header', 'wide_no_params',
  b'\x00{"format":"tinynet-model","name":"w","inputs":[{"name":"x","type":"float","size":16777216}],'
  b'"layers":[{"name":"d","type":"dropout","rate":0.5}],"loss":"mse","tensors":[]}')
w('model_header', 'unknown_data_format', b'\x10' + h.replace(b'"format":"csv"', b'"format":"parquet"') + b'\0' + d)
w('model_header', 'unknown_loss_eval',
  b'\x10' + h.replace(b'"loss":"binary_crossentropy"', b'"loss":{"type":"focal","gamma":2}') + b'\0' + d)
w('model_header', 'invalid_utf8_columns', b'\x10' + h.replace(b'"x1"', b'"\xff\xfe"') + b'\0' +
  d.replace(b'x1', b'\xff\xfe'))
w('model_header', 'eval_data_bom_crlf', b'\x10' + h + b'\0' + b'\xef\xbb\xbf' + d.replace(b'\n', b'\r\n'))
w('model_header', 'scaling_wrong_length',
  b'\x00' + h.replace(b'"tensors"', b'"scaling":{"kind":"standardize","input":"x","mean":[0],'
                                    b'"std":[1,2,3]},"tensors"'))
w('model_header', 'eval_data_nul_and_nan', b'\x10' + h + b'\0' + d + b'nan,1,\x000\n')
