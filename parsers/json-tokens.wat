;; The flat JSON reader's byte work (parsers/json-fields.ts): for each line, its keys are found
;; and told apart, and the values of the keys events read are checked and spanned, numbers read,
;; strings looked up in a cache of recent values. In WebAssembly because it touches every byte of
;; every line read, sixteen at a time; JavaScript then only reads a table of the values it needs.
;;
;; A line is taken as JSON.parse would take it, or declined (its count -1; the caller then parses
;; it whole): an object of scalars only, blanks between tokens spaces only, strings without an
;; escape or a control character, a key events read at most once, and none the reader must leave
;; to JSON.parse (`whole`: an error or a stack).
;;
;; Lines of one shape follow each other: each key remembers the key that followed it last time,
;; and each key events read the cache slot of its last value, so that the next line's key and
;; value are compared in place (sixteen bytes at once) before they are scanned and hashed.
;;
;; Memory layout, written by json-fields.ts (keep the two in step):
;;   0        table:  i32[4][2048]   id + 1 (0: empty), length, hash, address of the name's bytes
;;   32768    names:  u8[65024]      per key `"name":`, padded to sixteen
;;   97792    roles:  i32[4][32]     per role, the line's value so far: the line's stamp, its key's
;;                                   rank, the address of its field
;;   98304    keys:   i32[8][1024]   per key id: the line it was last read on (read twice: the line
;;                                   is declined), whole, the id + 1 of the key that followed it
;;                                   last (0: none), the address of `"name":`, its length, wanted
;;                                   (events read it), the cache slot of its last value (-1: none),
;;                                   its role (`want`)
;;   131072   lines:  i32[4][4096]   start, end, field count (-1: declined; | SLOW), first field
;;   196608   fields: i32[4][16384]  kind | key id << 3 | NEW_TEXT | WIN | role << 15, string cache slot (| NEW when put there
;;                                   by this line, -1 when too long to keep), then the value: f64,
;;                                   or start, end
;;   458752   cache:  [8192][128]    length (-1: none), hash, 8 unused, the bytes (up to 112)
;;   1507328  input, followed by 32 bytes of padding (loads read past a line's end)
;; Field kinds (json-fields.ts): 0 string, 1 number read, 2 number to read from its text,
;; 3 true, 4 false, 5 null.
;;
;; Roles: each key events read has a role word (`want`): 0 when JavaScript places the value (a
;; key with several roles, or none the module knows), else PLACED (0x40000000) | its role << 15 |
;; its rank in the role's list << 20 | ANY (0x10000000: its value counts even null or empty, the
;; process's fields) | TYPE (0x20000000: a frame type's key). Of a line's fields of one role, the one of the lowest rank whose value is neither null
;; nor empty is marked WIN: JavaScript reads the winners and the strings new in the cache, and
;; skips the other fields. A line where that does not hold (a key JavaScript places, or two frame
;; type keys: the frame type is the first that names one) has its count marked SLOW: JavaScript
;; then reads all its fields.
(module
  (memory (export "memory") 25)
  ;; A key that is not the field map's and has bytes that are no UTF-8 (U+FFFD once decoded) may
  ;; read as one with U+FFFD in its name: set when the field map has such a name.
  (global $fffd (export "fffd") (mut i32) (i32.const 0))
  ;; Fields written by the last call to `lines` or `one`.
  (global $used (export "used") (mut i32) (i32.const 0))
  ;; Keys known (the field map's first, then others as they are read), and the end of their names.
  (global $keys (export "keys") (mut i32) (i32.const 0))
  (global $names (mut i32) (i32.const 32768))
  ;; The id + 1 of the first key of the last line.
  (global $first (mut i32) (i32.const 0))
  (global $stamp (mut i32) (i32.const 0))

  ;; Marks key `id` as one events read, with its role word; `whole`: a line with it is declined.
  (func (export "want") (param $id i32) (param $whole i32) (param $role i32)
    (local $at i32)
    (local.set $at (i32.shl (local.get $id) (i32.const 5)))
    (i32.store offset=98308 (local.get $at) (local.get $whole))
    (i32.store offset=98324 (local.get $at) (i32.const 1))
    (i32.store offset=98332 (local.get $at) (local.get $role)))

  ;; Forgets the cache slots that fields [from, to) put there new: their lines were declined or
  ;; not read, so their values were never given to JavaScript.
  (func $forget (export "forget") (param $from i32) (param $to i32)
    (local $slot i32)
    (loop $field
      (if (i32.lt_u (local.get $from) (local.get $to))
        (then
          (local.set $slot (i32.load offset=196612 (i32.shl (local.get $from) (i32.const 4))))
          (if (i32.eq (i32.and (local.get $slot) (i32.const 0xc0000000)) (i32.const 0x40000000))
            (then (i32.store offset=458752 (i32.shl (i32.and (local.get $slot) (i32.const 0x3fffffff)) (i32.const 7)) (i32.const -1))))
          (local.set $from (i32.add (local.get $from) (i32.const 1)))
          (br $field)))))

  ;; Past one or more digits at `i`, or -1 when none is there.
  (func $digits (param $i i32) (result i32)
    (local $start i32)
    (local.set $start (local.get $i))
    (loop $digit
      (if (i32.lt_u (i32.sub (i32.load8_u (local.get $i)) (i32.const 48)) (i32.const 10))
        (then
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $digit))))
    (select (local.get $i) (i32.const -1) (i32.gt_u (local.get $i) (local.get $start))))

  ;; The `n` bytes at `a` are those at `b` (both may be read sixteen bytes at a time past them).
  (func $equal (param $a i32) (param $b i32) (param $n i32) (result i32)
    (local $m i32)
    (loop $chunk
      (if (i32.le_s (local.get $n) (i32.const 0)) (then (return (i32.const 1))))
      (local.set $m (i8x16.bitmask (i8x16.eq (v128.load (local.get $a)) (v128.load (local.get $b)))))
      (if (i32.lt_u (local.get $n) (i32.const 16))
        (then (return (i32.eqz (i32.and (i32.xor (local.get $m) (i32.const 0xffff))
          (i32.sub (i32.shl (i32.const 1) (local.get $n)) (i32.const 1)))))))
      (if (i32.ne (local.get $m) (i32.const 0xffff)) (then (return (i32.const 0))))
      (local.set $a (i32.add (local.get $a) (i32.const 16)))
      (local.set $b (i32.add (local.get $b) (i32.const 16)))
      (local.set $n (i32.sub (local.get $n) (i32.const 16)))
      (br $chunk))
    (i32.const 0))

  ;; Reads the line [s, e), its fields written from field `f` on (at most `room` of them): their
  ;; count, or -1 when the line is declined. One function, the scan of a string inlined: a call
  ;; costs more than a short string's scan.
  (func $line (param $s i32) (param $e i32) (param $f i32) (param $room i32) (result i32)
    (local $last i32) (local $i i32) (local $j i32) (local $c i32) (local $d i32) (local $h i32) (local $high i32)
    (local $id i32) (local $prev i32) (local $stamp i32) (local $at i32) (local $k i32) (local $int i64) (local $plain i32)
    (local $slot i32) (local $start i32) (local $n i32) (local $m i32) (local $x i64) (local $w i64)
    (local $lo i64) (local $hi i64) (local $v v128) (local $a i32) (local $info i32) (local $len i32)
    (local $word i32) (local $field i32) (local $role i32) (local $slow i32) (local $type i32)
    (local.set $k (local.get $f))
    (block $declined
      (br_if $declined (i32.lt_s (i32.sub (local.get $e) (local.get $s)) (i32.const 2)))
      (local.set $last (i32.sub (local.get $e) (i32.const 1)))
      (br_if $declined (i32.or (i32.ne (i32.load8_u (local.get $s)) (i32.const 123)) (i32.ne (i32.load8_u (local.get $last)) (i32.const 125))))
      (local.set $stamp (i32.add (global.get $stamp) (i32.const 1)))
      (global.set $stamp (local.get $stamp))
      (local.set $i (i32.add (local.get $s) (i32.const 1)))
      (loop $space (if (i32.eq (i32.load8_u (local.get $i)) (i32.const 32)) (then (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $space))))
      (if (i32.eq (local.get $i) (local.get $last)) (then (return (i32.const 0))))
      ;; The key before (-1: the line's start).
      (local.set $prev (i32.const -1))
      (loop $pair
        ;; The key: the one that followed the key before last time, or found by its bytes.
        (if (i32.lt_s (local.get $prev) (i32.const 0))
          (then (local.set $id (i32.sub (global.get $first) (i32.const 1))))
          (else (local.set $id (i32.sub (i32.load offset=98312 (i32.shl (local.get $prev) (i32.const 5))) (i32.const 1)))))
        (block $known
          (if (i32.ge_s (local.get $id) (i32.const 0))
            (then
              (local.set $info (i32.shl (local.get $id) (i32.const 5)))
              (local.set $len (i32.load offset=98320 (local.get $info)))
              (if (i32.and (i32.le_u (local.get $len) (i32.const 16)) (i32.le_u (i32.add (local.get $i) (local.get $len)) (local.get $last)))
                (then
                  (local.set $m (i8x16.bitmask (i8x16.eq (v128.load (local.get $i)) (v128.load (i32.load offset=98316 (local.get $info))))))
                  (local.set $n (i32.sub (i32.shl (i32.const 1) (local.get $len)) (i32.const 1)))
                  (if (i32.eq (i32.and (local.get $m) (local.get $n)) (local.get $n))
                    (then
                      (local.set $i (i32.add (local.get $i) (local.get $len)))
                      (br $known)))))))
          (br_if $declined (i32.ne (i32.load8_u (local.get $i)) (i32.const 34)))
          (local.set $start (i32.add (local.get $i) (i32.const 1)))
          (local.set $j (local.get $start))
          (local.set $x (i64.const 0x243f6a8885a308d3))
          (local.set $high (i32.const 0))
          ;; Sixteen bytes at a time to a quote, a backslash or a control character, hashed eight at a time.
          (loop $chunk
            (local.set $v (v128.load (local.get $j)))
            (local.set $m (i8x16.bitmask (v128.or
              (v128.or
                (i8x16.eq (local.get $v) (v128.const i8x16 34 34 34 34 34 34 34 34 34 34 34 34 34 34 34 34))
                (i8x16.eq (local.get $v) (v128.const i8x16 92 92 92 92 92 92 92 92 92 92 92 92 92 92 92 92)))
              (i8x16.lt_u (local.get $v) (v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32)))))
            (if (i32.eqz (local.get $m))
              (then
                (local.set $high (i32.or (local.get $high) (i8x16.bitmask (local.get $v))))
                (local.set $x (i64.mul (i64.rotl (i64.xor (local.get $x) (i64x2.extract_lane 0 (local.get $v))) (i64.const 29)) (i64.const 0x9e3779b97f4a7c15)))
                (local.set $x (i64.mul (i64.rotl (i64.xor (local.get $x) (i64x2.extract_lane 1 (local.get $v))) (i64.const 29)) (i64.const 0x9e3779b97f4a7c15)))
                (local.set $j (i32.add (local.get $j) (i32.const 16)))
                (br_if $chunk (i32.lt_u (local.get $j) (local.get $last)))
                (br $declined))))
          (local.set $n (i32.ctz (local.get $m)))
          (local.set $j (i32.add (local.get $j) (local.get $n)))
          (br_if $declined (i32.or (i32.ge_u (local.get $j) (local.get $last)) (i32.ne (i32.load8_u (local.get $j)) (i32.const 34))))
          (local.set $high (i32.or (local.get $high)
            (i32.and (i8x16.bitmask (local.get $v)) (i32.sub (i32.shl (i32.const 1) (local.get $n)) (i32.const 1)))))
          (local.set $lo (i64x2.extract_lane 0 (local.get $v)))
          (local.set $hi (i64x2.extract_lane 1 (local.get $v)))
          (if (i32.lt_u (local.get $n) (i32.const 8))
            (then
              (local.set $lo (i64.and (local.get $lo) (i64.sub (i64.shl (i64.const 1) (i64.extend_i32_u (i32.shl (local.get $n) (i32.const 3)))) (i64.const 1))))
              (local.set $hi (i64.const 0)))
            (else
              (local.set $hi (i64.and (local.get $hi) (i64.sub (i64.shl (i64.const 1) (i64.extend_i32_u (i32.shl (i32.sub (local.get $n) (i32.const 8)) (i32.const 3)))) (i64.const 1))))))
          (local.set $x (i64.mul (i64.rotl (i64.xor (local.get $x) (local.get $lo)) (i64.const 29)) (i64.const 0x9e3779b97f4a7c15)))
          (local.set $x (i64.mul (i64.rotl (i64.xor (local.get $x) (local.get $hi)) (i64.const 29)) (i64.const 0x9e3779b97f4a7c15)))
          (local.set $n (i32.sub (local.get $j) (local.get $start)))
          (local.set $x (i64.xor (local.get $x) (i64.extend_i32_u (local.get $n))))
          (local.set $x (i64.mul (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 29))) (i64.const 0xbf58476d1ce4e5b9)))
          (local.set $h (i32.wrap_i64 (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 32)))))
          ;; Its id: its length, hash and bytes are a key's in the table; else it is added there.
          (local.set $slot (i32.and (local.get $h) (i32.const 2047)))
          (block $found
            (loop $probe
              (local.set $a (i32.shl (local.get $slot) (i32.const 4)))
              (local.set $id (i32.sub (i32.load (local.get $a)) (i32.const 1)))
              (br_if $found (i32.lt_s (local.get $id) (i32.const 0)))
              (br_if $found (i32.and (i32.and (i32.eq (i32.load offset=4 (local.get $a)) (local.get $n)) (i32.eq (i32.load offset=8 (local.get $a)) (local.get $h)))
                (call $equal (i32.load offset=12 (local.get $a)) (local.get $start) (local.get $n))))
              (local.set $slot (i32.and (i32.add (local.get $slot) (i32.const 1)) (i32.const 2047)))
              (br $probe)))
          (if (i32.lt_s (local.get $id) (i32.const 0))
            (then
              ;; Another key whose bytes are no UTF-8 may read as a name with U+FFFD.
              (br_if $declined (i32.and (i32.ne (local.get $high) (i32.const 0)) (global.get $fffd)))
              ;; `"name":` padded to sixteen, while there is room.
              (if (i32.and (i32.lt_u (global.get $keys) (i32.const 1024))
                    (i32.le_u (i32.add (global.get $names) (i32.add (local.get $n) (i32.const 19))) (i32.const 97792)))
                (then
                  (local.set $id (global.get $keys))
                  (global.set $keys (i32.add (local.get $id) (i32.const 1)))
                  (local.set $c (i32.const 0))
                  (loop $copy
                    (if (i32.lt_u (local.get $c) (i32.add (local.get $n) (i32.const 1)))
                      (then
                        (v128.store (i32.add (global.get $names) (local.get $c)) (v128.load (i32.add (local.get $i) (local.get $c))))
                        (local.set $c (i32.add (local.get $c) (i32.const 16)))
                        (br $copy))))
                  (i32.store16 offset=1 (i32.add (global.get $names) (local.get $n)) (i32.const 0x3a22)) ;; ":
                  (i32.store (local.get $a) (i32.add (local.get $id) (i32.const 1)))
                  (i32.store offset=4 (local.get $a) (local.get $n))
                  (i32.store offset=8 (local.get $a) (local.get $h))
                  (i32.store offset=12 (local.get $a) (i32.add (global.get $names) (i32.const 1)))
                  (local.set $info (i32.shl (local.get $id) (i32.const 5)))
                  (i32.store offset=98316 (local.get $info) (global.get $names))
                  (i32.store offset=98320 (local.get $info) (i32.add (local.get $n) (i32.const 3)))
                  (i32.store offset=98328 (local.get $info) (i32.const -1))
                  (global.set $names (i32.and (i32.add (global.get $names) (i32.add (local.get $n) (i32.const 18))) (i32.const -16)))))))
          (local.set $i (i32.add (local.get $j) (i32.const 1)))
          (loop $space (if (i32.eq (i32.load8_u (local.get $i)) (i32.const 32)) (then (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $space))))
          (br_if $declined (i32.ne (i32.load8_u (local.get $i)) (i32.const 58)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          ;; Remembered as the key that follows the one before.
          (if (i32.lt_s (local.get $prev) (i32.const 0))
            (then (global.set $first (i32.add (local.get $id) (i32.const 1))))
            (else (i32.store offset=98312 (i32.shl (local.get $prev) (i32.const 5)) (i32.add (local.get $id) (i32.const 1))))))
        (local.set $prev (local.get $id))
        (loop $space (if (i32.eq (i32.load8_u (local.get $i)) (i32.const 32)) (then (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $space))))
        (local.set $at (i32.const 0))
        (local.set $info (i32.shl (local.get $id) (i32.const 5)))
        (if (i32.ge_s (local.get $id) (i32.const 0)) (then (if (i32.load offset=98324 (local.get $info))
          (then
            (br_if $declined (i32.load offset=98308 (local.get $info)))
            (br_if $declined (i32.eq (i32.load offset=98304 (local.get $info)) (local.get $stamp)))
            (i32.store offset=98304 (local.get $info) (local.get $stamp))
            (br_if $declined (i32.ge_u (i32.sub (local.get $k) (local.get $f)) (local.get $room)))
            (local.set $at (i32.add (i32.shl (local.get $k) (i32.const 4)) (i32.const 196608)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            ;; Unless the value below says otherwise, a number read.
            (i32.store (local.get $at) (i32.or (i32.shl (local.get $id) (i32.const 3)) (i32.const 1)))
            (i32.store offset=4 (local.get $at) (i32.const -1))))))
        ;; The value.
        (local.set $c (i32.load8_u (local.get $i)))
        (block $value
          (if (i32.eq (local.get $c) (i32.const 34))
            (then
              (local.set $start (i32.add (local.get $i) (i32.const 1)))
              ;; The key's last value again, compared in place.
              (if (local.get $at)
                (then
                  (local.set $slot (i32.load offset=98328 (local.get $info)))
                  (if (i32.ge_s (local.get $slot) (i32.const 0))
                    (then
                      (local.set $a (i32.add (i32.shl (local.get $slot) (i32.const 7)) (i32.const 458752)))
                      (local.set $n (i32.load (local.get $a)))
                      (local.set $j (i32.add (local.get $start) (local.get $n)))
                      (if (i32.and (i32.and (i32.ge_s (local.get $n) (i32.const 0)) (i32.lt_u (local.get $j) (local.get $last)))
                            (i32.eq (i32.load8_u (local.get $j)) (i32.const 34)))
                        (then
                          (if (call $equal (i32.add (local.get $a) (i32.const 16)) (local.get $start) (local.get $n))
                            (then
                              (i32.store (local.get $at) (i32.shl (local.get $id) (i32.const 3)))
                              (i32.store offset=4 (local.get $at) (local.get $slot))
                              (i32.store offset=8 (local.get $at) (local.get $start))
                              (i32.store offset=12 (local.get $at) (local.get $j))
                              (local.set $i (i32.add (local.get $j) (i32.const 1)))
                              (br $value)))))))))
              (local.set $j (local.get $start))
              (local.set $x (i64.const 0x243f6a8885a308d3))
              (loop $chunk
                (local.set $v (v128.load (local.get $j)))
                (local.set $m (i8x16.bitmask (v128.or
                  (v128.or
                    (i8x16.eq (local.get $v) (v128.const i8x16 34 34 34 34 34 34 34 34 34 34 34 34 34 34 34 34))
                    (i8x16.eq (local.get $v) (v128.const i8x16 92 92 92 92 92 92 92 92 92 92 92 92 92 92 92 92)))
                  (i8x16.lt_u (local.get $v) (v128.const i8x16 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32 32)))))
                (if (i32.eqz (local.get $m))
                  (then
                    (local.set $x (i64.mul (i64.rotl (i64.xor (local.get $x) (i64x2.extract_lane 0 (local.get $v))) (i64.const 29)) (i64.const 0x9e3779b97f4a7c15)))
                    (local.set $x (i64.mul (i64.rotl (i64.xor (local.get $x) (i64x2.extract_lane 1 (local.get $v))) (i64.const 29)) (i64.const 0x9e3779b97f4a7c15)))
                    (local.set $j (i32.add (local.get $j) (i32.const 16)))
                    (br_if $chunk (i32.lt_u (local.get $j) (local.get $last)))
                    (br $declined))))
              (local.set $n (i32.ctz (local.get $m)))
              (local.set $j (i32.add (local.get $j) (local.get $n)))
              (br_if $declined (i32.or (i32.ge_u (local.get $j) (local.get $last)) (i32.ne (i32.load8_u (local.get $j)) (i32.const 34))))
              (if (local.get $at)
                (then
                  (local.set $lo (i64x2.extract_lane 0 (local.get $v)))
                  (local.set $hi (i64x2.extract_lane 1 (local.get $v)))
                  (if (i32.lt_u (local.get $n) (i32.const 8))
                    (then
                      (local.set $lo (i64.and (local.get $lo) (i64.sub (i64.shl (i64.const 1) (i64.extend_i32_u (i32.shl (local.get $n) (i32.const 3)))) (i64.const 1))))
                      (local.set $hi (i64.const 0)))
                    (else
                      (local.set $hi (i64.and (local.get $hi) (i64.sub (i64.shl (i64.const 1) (i64.extend_i32_u (i32.shl (i32.sub (local.get $n) (i32.const 8)) (i32.const 3)))) (i64.const 1))))))
                  (local.set $x (i64.mul (i64.rotl (i64.xor (local.get $x) (local.get $lo)) (i64.const 29)) (i64.const 0x9e3779b97f4a7c15)))
                  (local.set $x (i64.mul (i64.rotl (i64.xor (local.get $x) (local.get $hi)) (i64.const 29)) (i64.const 0x9e3779b97f4a7c15)))
                  (local.set $n (i32.sub (local.get $j) (local.get $start)))
                  (local.set $x (i64.xor (local.get $x) (i64.extend_i32_u (local.get $n))))
                  (local.set $x (i64.mul (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 29))) (i64.const 0xbf58476d1ce4e5b9)))
                  (local.set $h (i32.wrap_i64 (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 32)))))
                  ;; Its cache slot: the bytes are there, or are put there, the string to be made.
                  (local.set $slot (i32.const -1))
                  (if (i32.le_u (local.get $n) (i32.const 112))
                    (then
                      (local.set $slot (i32.shr_u (local.get $h) (i32.const 19)))
                      (local.set $a (i32.add (i32.shl (local.get $slot) (i32.const 7)) (i32.const 458752)))
                      (if (i32.eqz (i32.and (i32.and (i32.eq (i32.load (local.get $a)) (local.get $n)) (i32.eq (i32.load offset=4 (local.get $a)) (local.get $h)))
                            (call $equal (i32.add (local.get $a) (i32.const 16)) (local.get $start) (local.get $n))))
                        (then
                          (i32.store (local.get $a) (local.get $n))
                          (i32.store offset=4 (local.get $a) (local.get $h))
                          (local.set $c (i32.const 0))
                          (loop $copy
                            (if (i32.lt_u (local.get $c) (local.get $n))
                              (then
                                (v128.store offset=16 (i32.add (local.get $a) (local.get $c)) (v128.load (i32.add (local.get $start) (local.get $c))))
                                (local.set $c (i32.add (local.get $c) (i32.const 16)))
                                (br $copy))))
                          (i32.store offset=98328 (local.get $info) (local.get $slot))
                          (local.set $slot (i32.or (local.get $slot) (i32.const 0x40000000))))
                        (else (i32.store offset=98328 (local.get $info) (local.get $slot))))))
                  ;; NEW_TEXT when put in the cache now, or not kept there (too long).
                  (i32.store (local.get $at) (i32.or (i32.shl (local.get $id) (i32.const 3)) (i32.shr_u (i32.and (local.get $slot) (i32.const 0x40000000)) (i32.const 17))))
                  (i32.store offset=4 (local.get $at) (local.get $slot))
                  (i32.store offset=8 (local.get $at) (local.get $start))
                  (i32.store offset=12 (local.get $at) (local.get $j))))
              (local.set $i (i32.add (local.get $j) (i32.const 1)))
              (br $value)))
          (if (i32.or (i32.eq (local.get $c) (i32.const 45)) (i32.lt_u (i32.sub (local.get $c) (i32.const 48)) (i32.const 10)))
            (then
              (local.set $j (i32.add (local.get $i) (i32.eq (local.get $c) (i32.const 45))))
              (local.set $d (i32.load8_u (local.get $j)))
              (local.set $int (i64.const 0))
              (if (i32.eq (local.get $d) (i32.const 48))
                (then
                  (local.set $j (i32.add (local.get $j) (i32.const 1)))
                  (local.set $d (i32.load8_u (local.get $j))))
                (else
                  (br_if $declined (i32.ge_u (i32.sub (local.get $d) (i32.const 49)) (i32.const 9)))
                  ;; Eight digits at a time while eight are there (a time in ms has 13): pairs, fours, eights.
                  (loop $eight
                    (local.set $w (i64.load (local.get $j)))
                    (if (i32.and
                          (i64.eq (i64.and (local.get $w) (i64.const 0xf0f0f0f0f0f0f0f0)) (i64.const 0x3030303030303030))
                          (i64.eq (i64.and (i64.add (local.get $w) (i64.const 0x0606060606060606)) (i64.const 0xf0f0f0f0f0f0f0f0)) (i64.const 0x3030303030303030)))
                      (then
                        (local.set $w (i64.sub (local.get $w) (i64.const 0x3030303030303030)))
                        (local.set $w (i64.and (i64.add (i64.mul (local.get $w) (i64.const 10)) (i64.shr_u (local.get $w) (i64.const 8))) (i64.const 0x00ff00ff00ff00ff)))
                        (local.set $w (i64.and (i64.add (i64.mul (local.get $w) (i64.const 100)) (i64.shr_u (local.get $w) (i64.const 16))) (i64.const 0x0000ffff0000ffff)))
                        (local.set $w (i64.and (i64.add (i64.mul (local.get $w) (i64.const 10000)) (i64.shr_u (local.get $w) (i64.const 32))) (i64.const 0xffffffff)))
                        (local.set $int (i64.add (i64.mul (local.get $int) (i64.const 100000000)) (local.get $w)))
                        (local.set $j (i32.add (local.get $j) (i32.const 8)))
                        (br $eight))))
                  (local.set $d (i32.load8_u (local.get $j)))
                  (loop $digit
                    (if (i32.lt_u (i32.sub (local.get $d) (i32.const 48)) (i32.const 10))
                      (then
                        (local.set $int (i64.add (i64.mul (local.get $int) (i64.const 10)) (i64.extend_i32_u (i32.sub (local.get $d) (i32.const 48)))))
                        (local.set $j (i32.add (local.get $j) (i32.const 1)))
                        (local.set $d (i32.load8_u (local.get $j)))
                        (br $digit))))))
              ;; Up to 15 digits an integer is exact as summed; other numbers are read from their text, as JSON.parse reads them.
              (local.set $plain (i32.le_s (i32.sub (local.get $j) (local.get $i)) (i32.const 15)))
              (if (i32.eq (local.get $d) (i32.const 46))
                (then
                  (local.set $plain (i32.const 0))
                  (local.tee $j (call $digits (i32.add (local.get $j) (i32.const 1))))
                  (br_if $declined (i32.lt_s (i32.const 0)))
                  (local.set $d (i32.load8_u (local.get $j)))))
              (if (i32.eq (i32.or (local.get $d) (i32.const 32)) (i32.const 101))
                (then
                  (local.set $plain (i32.const 0))
                  (local.set $d (i32.load8_u offset=1 (local.get $j)))
                  (local.tee $j (call $digits (i32.add (local.get $j)
                    (select (i32.const 2) (i32.const 1) (i32.or (i32.eq (local.get $d) (i32.const 43)) (i32.eq (local.get $d) (i32.const 45)))))))
                  (br_if $declined (i32.lt_s (i32.const 0)))))
              (if (local.get $at)
                (then
                  (if (local.get $plain)
                    (then
                      (f64.store offset=8 (local.get $at)
                        (select (f64.neg (f64.convert_i64_u (local.get $int))) (f64.convert_i64_u (local.get $int)) (i32.eq (local.get $c) (i32.const 45)))))
                    (else
                      (i32.store (local.get $at) (i32.or (i32.shl (local.get $id) (i32.const 3)) (i32.const 2)))
                      (i32.store offset=8 (local.get $at) (local.get $i))
                      (i32.store offset=12 (local.get $at) (local.get $j))))))
              (local.set $i (local.get $j))
              (br $value)))
          (if (i32.eq (i32.load (local.get $i)) (i32.const 0x65757274)) ;; true
            (then
              (if (local.get $at) (then (i32.store (local.get $at) (i32.or (i32.shl (local.get $id) (i32.const 3)) (i32.const 3)))))
              (local.set $i (i32.add (local.get $i) (i32.const 4)))
              (br $value)))
          (if (i32.and (i32.eq (i32.load (local.get $i)) (i32.const 0x736c6166)) (i32.eq (i32.load8_u offset=4 (local.get $i)) (i32.const 101))) ;; false
            (then
              (if (local.get $at) (then (i32.store (local.get $at) (i32.or (i32.shl (local.get $id) (i32.const 3)) (i32.const 4)))))
              (local.set $i (i32.add (local.get $i) (i32.const 5)))
              (br $value)))
          (if (i32.eq (i32.load (local.get $i)) (i32.const 0x6c6c756e)) ;; null
            (then
              (if (local.get $at) (then (i32.store (local.get $at) (i32.or (i32.shl (local.get $id) (i32.const 3)) (i32.const 5)))))
              (local.set $i (i32.add (local.get $i) (i32.const 4)))
              (br $value)))
          (br $declined)) ;; a nested object or array, or not JSON
        ;; The field's role: it wins it when it ranks first so far (see Roles above).
        (if (local.get $at)
          (then
            (local.set $word (i32.load offset=98332 (local.get $info)))
            (local.set $field (i32.or (i32.load (local.get $at)) (i32.and (local.get $word) (i32.const 0xf8000))))
            (if (i32.and (local.get $word) (i32.const 0x20000000))
              (then
                (local.set $slow (i32.or (local.get $slow) (local.get $type)))
                (local.set $type (i32.const 1))))
            (local.set $slow (i32.or (local.get $slow) (i32.eqz (local.get $word))))
            ;; A value counts unless null or empty (or the key takes any: ANY).
            (local.set $c (i32.and (local.get $field) (i32.const 7)))
            (if (i32.or (i32.and (local.get $word) (i32.const 0x10000000))
                  (i32.and (i32.ne (local.get $c) (i32.const 5))
                    (i32.or (i32.ne (local.get $c) (i32.const 0)) (i32.ne (i32.load offset=8 (local.get $at)) (i32.load offset=12 (local.get $at))))))
              (then
                (local.set $a (i32.add (i32.and (i32.shr_u (local.get $word) (i32.const 11)) (i32.const 0x1f0)) (i32.const 97792)))
                (local.set $n (i32.and (local.get $word) (i32.const 0x0ff00000)))
                (local.set $c (i32.load (local.get $a)))
                (if (i32.and (i32.ne (local.get $word) (i32.const 0)) (i32.or (i32.ne (local.get $c) (local.get $stamp)) (i32.lt_u (local.get $n) (i32.load offset=4 (local.get $a)))))
                  (then
                    ;; The role's field so far loses it.
                    (if (i32.eq (local.get $c) (local.get $stamp))
                      (then
                        (local.set $c (i32.load offset=8 (local.get $a)))
                        (i32.store (local.get $c) (i32.and (i32.load (local.get $c)) (i32.const 0xffffbfff)))))
                    (i32.store (local.get $a) (local.get $stamp))
                    (i32.store offset=4 (local.get $a) (local.get $n))
                    (i32.store offset=8 (local.get $a) (local.get $at))
                    (local.set $field (i32.or (local.get $field) (i32.const 0x4000)))))))
            (i32.store (local.get $at) (local.get $field))))
        ;; After the value: the next key, or the end of the line.
        (loop $space (if (i32.eq (i32.load8_u (local.get $i)) (i32.const 32)) (then (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $space))))
        (local.set $d (i32.load8_u (local.get $i)))
        (if (i32.eq (local.get $d) (i32.const 44))
          (then
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (loop $space (if (i32.eq (i32.load8_u (local.get $i)) (i32.const 32)) (then (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $space))))
            (br $pair)))
        (br_if $declined (i32.or (i32.ne (local.get $d) (i32.const 125)) (i32.ne (local.get $i) (local.get $last))))
        (return (i32.or (i32.sub (local.get $k) (local.get $f)) (i32.shl (local.get $slow) (i32.const 30))))))
    (call $forget (local.get $f) (local.get $k))
    (i32.const -1))

  ;; Reads the line [s, e) as line `n` of the table, its fields from `f`: the next free field.
  (func $record (param $n i32) (param $s i32) (param $e i32) (param $f i32) (result i32)
    (local $count i32) (local $at i32)
    (local.set $count (call $line (local.get $s) (local.get $e) (local.get $f) (i32.sub (i32.const 16384) (local.get $f))))
    (local.set $at (i32.add (i32.shl (local.get $n) (i32.const 4)) (i32.const 131072)))
    (i32.store (local.get $at) (local.get $s))
    (i32.store offset=4 (local.get $at) (local.get $e))
    (i32.store offset=8 (local.get $at) (local.get $count))
    (i32.store offset=12 (local.get $at) (local.get $f))
    (select (i32.add (local.get $f) (i32.and (local.get $count) (i32.const 0x3fffffff))) (local.get $f) (i32.gt_s (local.get $count) (i32.const 0))))

  ;; Reads [s, e) as one line (line 0).
  (func (export "one") (param $s i32) (param $e i32)
    (global.set $used (call $record (i32.const 0) (local.get $s) (local.get $e) (i32.const 0))))

  ;; Reads the lines of [s, e) that end there with a line break (CR LF too), at most `max`: how
  ;; many were read.
  (func (export "lines") (param $s i32) (param $e i32) (param $max i32) (result i32)
    (local $n i32) (local $f i32) (local $p i32) (local $m i32) (local $end i32)
    (block $done
      (loop $line
        (br_if $done (i32.ge_u (local.get $n) (local.get $max)))
        ;; Its line break, sixteen bytes at a time.
        (local.set $p (local.get $s))
        (loop $find
          (br_if $done (i32.ge_u (local.get $p) (local.get $e)))
          (local.set $m (i8x16.bitmask (i8x16.eq (v128.load (local.get $p)) (v128.const i8x16 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10))))
          (if (i32.eqz (local.get $m))
            (then
              (local.set $p (i32.add (local.get $p) (i32.const 16)))
              (br $find))))
        (local.set $p (i32.add (local.get $p) (i32.ctz (local.get $m))))
        (br_if $done (i32.ge_u (local.get $p) (local.get $e)))
        (local.set $end (i32.sub (local.get $p)
          (i32.and (i32.gt_u (local.get $p) (local.get $s)) (i32.eq (i32.load8_u offset=0 (i32.sub (local.get $p) (i32.const 1))) (i32.const 13)))))
        ;; Room for the most fields a line can hold.
        (br_if $done (i32.gt_u (i32.add (local.get $f) (i32.shr_u (i32.sub (local.get $end) (local.get $s)) (i32.const 2))) (i32.const 16383)))
        (local.set $f (call $record (local.get $n) (local.get $s) (local.get $end) (local.get $f)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (local.set $s (i32.add (local.get $p) (i32.const 1)))
        (br $line)))
    (global.set $used (local.get $f))
    (local.get $n))
)
