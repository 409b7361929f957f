;; Docker's json-file records unwrapped (src/json-file.ts): each line's record has its `log`
;; unescaped into the output sixteen bytes at a time, a JSON line's escaped quotes too (a shuffle
;; takes their backslashes out); other escapes one by one. In WebAssembly because it touches every
;; byte of every line. The lines JavaScript must see to (a part of a longer line, a
;; line whose stream has parts kept, a line that is no record) stop the call, with what was read
;; of the line in the globals; so does a line that does not fit.
;;
;; Memory, laid out by json-file.ts: at 0 the module's own table (see `$table`), from 2048 the raw
;; records, then 16 bytes of padding (loads read past a line's end), then the output, with room
;; past its limit for one line more.
(module
  (memory (export "memory") 1)
  (start $table)
  ;; Where the last call stopped, and why: END (all lines read), ROOM (the line at the stop does not
  ;; fit), PART (a line JavaScript joins: its log is at `written` .. `logEnd`, of stream `stream`)
  ;; or OTHER (no record). `nl`: the line break of the line at the stop.
  (global $written (export "written") (mut i32) (i32.const 0))
  (global $why (export "why") (mut i32) (i32.const 0))
  (global $nl (export "nl") (mut i32) (i32.const 0))
  (global $logEnd (export "logEnd") (mut i32) (i32.const 0))
  (global $stream (export "stream") (mut i32) (i32.const 0))

  ;; Unwraps the lines of [p, end) (end - 1 a line break) to w on, each whole while it ends before
  ;; `limit` and is a record of a whole line of a stream not in `open` (bit 0 stdout, bit 1 stderr:
  ;; streams with parts kept); returns where it stopped (`why`).
  (func (export "unwrap") (param $p i32) (param $end i32) (param $w i32) (param $limit i32) (param $open i32) (result i32)
    (local $r i32)
    (local $q i32)
    (local $v v128)
    (local $m i32)
    (local $b i32)
    (local $c i32)
    (local $low i32)
    (local $s i32)
    (local $bs i32)
    (local $qt i32)
    (local $sh v128)
    (block $stop
      (loop $line
        (if (i32.ge_u (local.get $p) (local.get $end))
          (then (global.set $why (i32.const 0)) (br $stop)))
        (local.set $q (local.get $w))
        (local.set $r (i32.add (local.get $p) (i32.const 8)))
        (block $other
          ;; `{"log":"`
          (br_if $other (i64.ne (i64.load (local.get $p)) (i64.const 0x223a22676f6c227b)))
          (block $closed
            (loop $bytes
              (local.set $v (v128.load (local.get $r)))
              (local.set $qt (i8x16.bitmask (i8x16.eq (local.get $v) (v128.const i8x16 34 34 34 34 34 34 34 34 34 34 34 34 34 34 34 34))))
              (local.set $bs (i8x16.bitmask (i8x16.eq (local.get $v) (v128.const i8x16 92 92 92 92 92 92 92 92 92 92 92 92 92 92 92 92))))
              (local.set $m (i32.or (i32.or (local.get $qt) (local.get $bs))
                (i8x16.bitmask (i8x16.eq (local.get $v) (v128.const i8x16 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10)))))
              (if (i32.eqz (local.get $m))
                (then
                  (v128.store (local.get $q) (local.get $v))
                  (local.set $r (i32.add (local.get $r) (i32.const 16)))
                  (local.set $q (i32.add (local.get $q) (i32.const 16)))
                  (br $bytes)))
              ;; Escaped quotes only, each whole in the step (a JSON line's keys and strings): its
              ;; backslashes taken out, each half of the step by the table, sixteen bytes at once.
              (if (i32.and
                    (i32.eq (local.get $m) (i32.or (local.get $qt) (local.get $bs)))
                    ;; (a backslash last in the step has its quote past it: bit 16, never equal)
                    (i32.eq (local.get $qt) (i32.shl (local.get $bs) (i32.const 1))))
                (then
                  (local.set $sh (i64x2.replace_lane 1
                    (i64x2.splat (i64.load (i32.shl (i32.and (local.get $bs) (i32.const 255)) (i32.const 3))))
                    (i64.add (i64.load (i32.shl (i32.shr_u (local.get $bs) (i32.const 8)) (i32.const 3))) (i64.const 0x0808080808080808))))
                  (local.set $v (i8x16.swizzle (local.get $v) (local.get $sh)))
                  (i64.store (local.get $q) (i64x2.extract_lane 0 (local.get $v)))
                  (i64.store (i32.sub (i32.add (local.get $q) (i32.const 8)) (i32.popcnt (i32.and (local.get $bs) (i32.const 255))))
                    (i64x2.extract_lane 1 (local.get $v)))
                  (local.set $q (i32.sub (i32.add (local.get $q) (i32.const 16)) (i32.popcnt (local.get $bs))))
                  (local.set $r (i32.add (local.get $r) (i32.const 16)))
                  (br $bytes)))
              (v128.store (local.get $q) (local.get $v))
              (local.set $m (i32.ctz (local.get $m)))
              (local.set $r (i32.add (local.get $r) (local.get $m)))
              (local.set $q (i32.add (local.get $q) (local.get $m)))
              (local.set $b (i32.load8_u (local.get $r)))
              (br_if $closed (i32.eq (local.get $b) (i32.const 34)))
              (br_if $other (i32.eq (local.get $b) (i32.const 10)))
              ;; An escape.
              (local.set $b (i32.load8_u offset=1 (local.get $r)))
              (local.set $r (i32.add (local.get $r) (i32.const 2)))
              ;; `\"` first: a JSON line's every key and string has two.
              (if (i32.eq (local.get $b) (i32.const 34))
                (then
                  (i32.store8 (local.get $q) (i32.const 34))
                  (local.set $q (i32.add (local.get $q) (i32.const 1)))
                  (br $bytes)))
              (if (i32.eq (local.get $b) (i32.const 110)) ;; n
                (then
                  ;; `\n` ends the line; anywhere else (not the driver's) it stays escaped, one line a record.
                  (if (i32.eq (i32.load8_u (local.get $r)) (i32.const 34))
                    (then (i32.store8 (local.get $q) (i32.const 10)))
                    (else
                      (i32.store16 (local.get $q) (i32.const 0x6e5c))
                      (local.set $q (i32.add (local.get $q) (i32.const 1)))))
                  (local.set $q (i32.add (local.get $q) (i32.const 1)))
                  (br $bytes)))
              (if (i32.or (i32.eq (local.get $b) (i32.const 92)) (i32.eq (local.get $b) (i32.const 47)))
                (then (local.set $c (local.get $b)))
                (else (if (i32.eq (local.get $b) (i32.const 114)) (then (local.set $c (i32.const 13)))
                (else (if (i32.eq (local.get $b) (i32.const 116)) (then (local.set $c (i32.const 9)))
                (else (if (i32.eq (local.get $b) (i32.const 98)) (then (local.set $c (i32.const 8)))
                (else (if (i32.eq (local.get $b) (i32.const 102)) (then (local.set $c (i32.const 12)))
                (else
                  (br_if $other (i32.ne (local.get $b) (i32.const 117))) ;; u
                  (local.set $c (call $hex4 (local.get $r)))
                  (br_if $other (i32.lt_s (local.get $c) (i32.const 0)))
                  (local.set $r (i32.add (local.get $r) (i32.const 4)))
                  ;; A surrogate pair is one character.
                  (if (i32.and
                        (i32.eq (i32.and (local.get $c) (i32.const 0xfc00)) (i32.const 0xd800))
                        (i32.eq (i32.load16_u (local.get $r)) (i32.const 0x755c)))
                    (then
                      (local.set $low (call $hex4 (i32.add (local.get $r) (i32.const 2))))
                      (if (i32.eq (i32.and (local.get $low) (i32.const 0xfc00)) (i32.const 0xdc00))
                        (then
                          (local.set $c (i32.add (i32.const 0x10000) (i32.or
                            (i32.shl (i32.sub (local.get $c) (i32.const 0xd800)) (i32.const 10))
                            (i32.sub (local.get $low) (i32.const 0xdc00)))))
                          (local.set $r (i32.add (local.get $r) (i32.const 6)))))))
                  (local.set $q (call $utf8 (local.get $c) (local.get $q)))
                  (br $bytes)))))))))))
              (i32.store8 (local.get $q) (local.get $c))
              (local.set $q (i32.add (local.get $q) (i32.const 1)))
              (br $bytes)))
          ;; `,"stream":"` then `stdout` or `stderr`, told apart by their fourth byte.
          (br_if $other (i64.ne (i64.load offset=1 (local.get $r)) (i64.const 0x6d6165727473222c)))
          (br_if $other (i32.ne (i32.and (i32.load offset=8 (local.get $r)) (i32.const 0xffffff00)) (i32.const 0x223a2200)))
          (local.set $s (i32.eq (i32.load8_u offset=15 (local.get $r)) (i32.const 101)))
          (call $lineEnd (local.get $r))
          ;; The record ends with `}`, before a CR if any.
          (local.set $b (i32.sub (global.get $nl) (i32.const 1)))
          (if (i32.eq (i32.load8_u (local.get $b)) (i32.const 13))
            (then (local.set $b (i32.sub (local.get $b) (i32.const 1)))))
          (br_if $other (i32.ne (i32.load8_u (local.get $b)) (i32.const 125)))
          (if (i32.gt_u (local.get $q) (local.get $limit))
            (then (global.set $why (i32.const 1)) (br $stop)))
          (if (i32.or
                (i32.and (local.get $open) (i32.shl (i32.const 1) (local.get $s)))
                (i32.or (i32.eq (local.get $q) (local.get $w)) (i32.ne (i32.load8_u (i32.sub (local.get $q) (i32.const 1))) (i32.const 10))))
            (then
              (global.set $why (i32.const 2))
              (global.set $logEnd (local.get $q))
              (global.set $stream (local.get $s))
              (br $stop)))
          (local.set $w (local.get $q))
          (local.set $p (i32.add (global.get $nl) (i32.const 1)))
          (br $line))
        ;; No record.
        (call $lineEnd (local.get $p))
        (global.set $why (i32.const 3))
        (br $stop)))
    (global.set $written (local.get $w))
    (local.get $p))

  ;; For each byte of eight bits (a half step's backslashes), the places of the other bytes in
  ;; order, at 8 * the byte: the shuffle that takes the backslashes out. The rest is 128 (none).
  (func $table
    (local $b i32)
    (local $i i32)
    (local $k i32)
    (loop $each
      (local.set $i (i32.const 0))
      (local.set $k (i32.shl (local.get $b) (i32.const 3)))
      (i64.store (local.get $k) (i64.const 0x8080808080808080))
      (loop $place
        (if (i32.eqz (i32.and (i32.shr_u (local.get $b) (local.get $i)) (i32.const 1)))
          (then
            (i32.store8 (local.get $k) (local.get $i))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $place (i32.lt_u (local.get $i) (i32.const 8))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br_if $each (i32.lt_u (local.get $b) (i32.const 256)))))

  ;; The line break at or after `r`, into `nl`.
  (func $lineEnd (param $r i32)
    (local $m i32)
    (loop $find
      (local.set $m (i8x16.bitmask (i8x16.eq (v128.load (local.get $r))
        (v128.const i8x16 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10))))
      (if (i32.eqz (local.get $m))
        (then
          (local.set $r (i32.add (local.get $r) (i32.const 16)))
          (br $find))))
    (global.set $nl (i32.add (local.get $r) (i32.ctz (local.get $m)))))

  ;; The four hex digits at `r`, -1 if they are not.
  (func $hex4 (param $r i32) (result i32)
    (local $i i32)
    (local $h i32)
    (local $c i32)
    (loop $digit
      (local.set $h (i32.load8_u (i32.add (local.get $r) (local.get $i))))
      (if (i32.lt_u (i32.sub (local.get $h) (i32.const 48)) (i32.const 10))
        (then (local.set $h (i32.sub (local.get $h) (i32.const 48))))
        (else
          (local.set $h (i32.sub (i32.or (local.get $h) (i32.const 32)) (i32.const 97)))
          (if (i32.ge_u (local.get $h) (i32.const 6)) (then (return (i32.const -1))))
          (local.set $h (i32.add (local.get $h) (i32.const 10)))))
      (local.set $c (i32.or (i32.shl (local.get $c) (i32.const 4)) (local.get $h)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $digit (i32.lt_u (local.get $i) (i32.const 4))))
    (local.get $c))

  ;; Writes code point `c` as UTF-8 at `q` (a lone surrogate as U+FFFD); returns the end.
  (func $utf8 (param $c i32) (param $q i32) (result i32)
    (if (i32.lt_u (local.get $c) (i32.const 0x80))
      (then
        (i32.store8 (local.get $q) (local.get $c))
        (return (i32.add (local.get $q) (i32.const 1)))))
    (if (i32.lt_u (local.get $c) (i32.const 0x800))
      (then
        (i32.store8 (local.get $q) (i32.or (i32.const 0xc0) (i32.shr_u (local.get $c) (i32.const 6))))
        (i32.store8 offset=1 (local.get $q) (i32.or (i32.const 0x80) (i32.and (local.get $c) (i32.const 0x3f))))
        (return (i32.add (local.get $q) (i32.const 2)))))
    (if (i32.ge_u (local.get $c) (i32.const 0x10000))
      (then
        (i32.store8 (local.get $q) (i32.or (i32.const 0xf0) (i32.shr_u (local.get $c) (i32.const 18))))
        (i32.store8 offset=1 (local.get $q) (i32.or (i32.const 0x80) (i32.and (i32.shr_u (local.get $c) (i32.const 12)) (i32.const 0x3f))))
        (i32.store8 offset=2 (local.get $q) (i32.or (i32.const 0x80) (i32.and (i32.shr_u (local.get $c) (i32.const 6)) (i32.const 0x3f))))
        (i32.store8 offset=3 (local.get $q) (i32.or (i32.const 0x80) (i32.and (local.get $c) (i32.const 0x3f))))
        (return (i32.add (local.get $q) (i32.const 4)))))
    (if (i32.eq (i32.and (local.get $c) (i32.const 0xf800)) (i32.const 0xd800))
      (then (local.set $c (i32.const 0xfffd))))
    (i32.store8 (local.get $q) (i32.or (i32.const 0xe0) (i32.shr_u (local.get $c) (i32.const 12))))
    (i32.store8 offset=1 (local.get $q) (i32.or (i32.const 0x80) (i32.and (i32.shr_u (local.get $c) (i32.const 6)) (i32.const 0x3f))))
    (i32.store8 offset=2 (local.get $q) (i32.or (i32.const 0x80) (i32.and (local.get $c) (i32.const 0x3f))))
    (i32.add (local.get $q) (i32.const 3)))
)
