;; The prefilter's hot loops (src/prefilter.ts): in WebAssembly because they touch every
;; byte of the input, and compiled code without bounds checks or deoptimizations runs them
;; several times faster than the same loops in JavaScript.
;;
;; Memory layout, written by prefilter.ts (keep the two in step):
;;   0          buckets:  u8[3][2][16]  per byte of an anchor, by the byte's low then high half: the
;;                                      buckets (one bit each) that the byte may be in at that place
;;   96         constants: u8[2][16]   0x0f (a byte's half), a line break: the module's own data
;;   508        source:   u32, u8[320]  the length and the bytes of the source the last line named
;;                                      (`strip`, set and read by prefix.ts between calls)
;;   1024       exits:    u8[256][4][16] per state marked 0x8000 (pattern.ts SKIP): the bytes that
;;                                      leave it, each sixteen times
;;   65536      slots:    u32[65536]    per pair: first anchor (low 20 bits), anchor count (high 12)
;;   458752     needles:  u32[2][4096]  address of its bytes, length (the bytes are padded to a
;;                                      multiple of four, then as many mask bytes: a byte matches
;;                                      when `(byte | mask) == needle byte`)
;;   491520     bytes:    u8[65536]     needle bytes and masks
;;   589824     automata: u16[256][256] next state per state and byte (0 rejects, 1 accepts), marked
;;                                      0x8000 when the state keeps all bytes but its exits
;;   720896     hits:     u32[8][16384] start of a match, needle index, its line's start, its line's
;;                                      end (the line break), the line breaks before its line
;;   1245184    anchors:  i32[2][65536] needle index (low 16 bits), offset of the pair in it (high 16,
;;                                      signed); its length (low 16), where the automaton of its
;;                                      patterns starts (high 16; 1, accepting, when it has none)
;;   1769472    odd:      u32[2][16384] start of an odd line (after a line break, see `scan`), the
;;                                      line breaks before it
;;   1900544    the block, followed by 32 line breaks (loads read past its end; patterns stop there,
;;                                      and a step reaching them is not taken as one without matches)
;; A call stops early when `hits` or `odd` is nearly full, after a step of thirty-two bytes: the
;; next call goes on from `next`, with the line breaks counted so far (`breaks`).
(module
  (memory (export "memory") 30)
  (global $next (export "next") (mut i32) (i32.const 0))
  (global $breaks (export "breaks") (mut i32) (i32.const 0))
  ;; Odd lines written by the last call.
  (global $odds (export "odds") (mut i32) (i32.const 0))
  ;; 1 when the prefix `prefix` read last names its source (kubectl's pod, compose's container),
  ;; and where that name is.
  (global $named (mut i32) (i32.const 0))
  (global $name_at (mut i32) (i32.const 0))
  (global $name_len (mut i32) (i32.const 0))
  ;; Where the journal's source that `$ident` read last ends (its `: ` is next).
  (global $jname_end (mut i32) (i32.const 0))
  ;; Where the last call of `strip` stopped writing the sources it noted.
  (global $noted (export "noted") (mut i32) (i32.const 0))
  ;; The sweep's constants.
  (data (i32.const 96) "\0f\0f\0f\0f\0f\0f\0f\0f\0f\0f\0f\0f\0f\0f\0f\0f" "\0a\0a\0a\0a\0a\0a\0a\0a\0a\0a\0a\0a\0a\0a\0a\0a")

  ;; Finds needles in the block [start, end) (whole lines), sweeping from `from` thirty-two bytes
  ;; at a time: each needle has an anchor, two or three bytes, in one of eight buckets; a byte's
  ;; halves tell in which buckets it may be at each place of an anchor, so that the places where
  ;; all the bytes of an anchor may be in one bucket are found at once, thirty-two per step.
  ;; Only there are the needles anchored at the pair looked up: each is kept when one of its
  ;; `followedBy` patterns (src/pattern.ts) matches after it, or it has none, and it is there in
  ;; full, within [start, end); it is written to `hits` with its line. The same sweep counts the
  ;; line breaks and, when `first` >= 0, writes to `odd` the lines after a line break that do not
  ;; start, after blanks, as the format's lines do: `first` packs the first byte of their start,
  ;; its last byte, and the last's place in it (up to 15), and a line is odd when either byte is
  ;; not in its place (the caller tests the block's first line). Returns the
  ;; number of hits (`odds` the odd lines); `next` is where it stopped: `end`, or earlier when at
  ;; least `room` hits were written. Call again from `next` with the same `start` and `end`.
  ;; A step where nothing may start and no line may be odd (most of them) only adds up its line
  ;; breaks; the rest of the work is on the rare steps, in the same function (a call would spill
  ;; the vector registers), from the vectors the test made.
  (func (export "scan") (param $from i32) (param $start i32) (param $end i32) (param $room i32) (param $first i32) (result i32)
    (local $p i32) (local $m i32) (local $n i32) (local $at i32) (local $nl i32) (local $o i32)
    (local $slot i32) (local $a i32) (local $stop i32) (local $anchor i32) (local $s i32)
    (local $needle i32) (local $bytes i32) (local $len i32) (local $width i32) (local $k i32)
    (local $f i32) (local $state i32) (local $q i32)
    (local $breaks i32) (local $odds i32) (local $ls i32) (local $lastStart i32) (local $lastEnd i32)
    (local $v v128) (local $lo v128) (local $hi v128) (local $b0 v128) (local $b1 v128) (local $x0 v128) (local $x1 v128)
    (local $cA v128) (local $cB v128) (local $nA v128) (local $nB v128) (local $oA v128) (local $oB v128)
    (local $l0 v128) (local $h0 v128) (local $l1 v128) (local $h1 v128) (local $l2 v128) (local $h2 v128)
    (local $halves v128) (local $breakv v128) (local $firstv v128) (local $lastv v128)
    (local $c0 i32) (local $c1 i32) (local $shift i32) (local $ps i32)
    (local.set $l0 (v128.load offset=0 (i32.const 0)))
    (local.set $h0 (v128.load offset=16 (i32.const 0)))
    (local.set $l1 (v128.load offset=32 (i32.const 0)))
    (local.set $h1 (v128.load offset=48 (i32.const 0)))
    (local.set $l2 (v128.load offset=64 (i32.const 0)))
    (local.set $h2 (v128.load offset=80 (i32.const 0)))
    ;; Constants read from memory: a v128.const is made again at each use inside a loop.
    (local.set $halves (v128.load offset=96 (i32.const 0)))
    (local.set $breakv (v128.load offset=112 (i32.const 0)))
    ;; `first`: the line start's first byte, its last byte, and the last's place in it (a byte each).
    (local.set $c0 (i32.and (local.get $first) (i32.const 0xff)))
    (local.set $c1 (i32.and (i32.shr_u (local.get $first) (i32.const 8)) (i32.const 0xff)))
    (local.set $shift (select (i32.const 0) (i32.shr_u (local.get $first) (i32.const 16)) (i32.lt_s (local.get $first) (i32.const 0))))
    (local.set $firstv (i8x16.splat (local.get $c0)))
    (local.set $lastv (i8x16.splat (local.get $c1)))
    (local.set $p (local.get $from))
    (local.set $lastStart (i32.const -1))
    ;; The anchors that end in the bytes at p start at p - 2 on: their first two bytes' buckets
    ;; are carried from the bytes before (none before `start`).
    (if (i32.ne (local.get $from) (local.get $start))
      (then
        (local.set $breaks (global.get $breaks))
        (local.set $v (v128.load offset=0 (i32.sub (local.get $p) (i32.const 16))))
        (local.set $lo (v128.and (local.get $v) (local.get $halves)))
        (local.set $hi (v128.and (i16x8.shr_u (local.get $v) (i32.const 4)) (local.get $halves)))
        (local.set $b0 (v128.and (i8x16.swizzle (local.get $l0) (local.get $lo)) (i8x16.swizzle (local.get $h0) (local.get $hi))))
        (local.set $b1 (v128.and (i8x16.swizzle (local.get $l1) (local.get $lo)) (i8x16.swizzle (local.get $h1) (local.get $hi))))))
    (block $done
      (loop $steps
        ;; Until the anchors that start before `end` have all been seen.
        (br_if $done (i32.ge_u (local.get $p) (i32.add (local.get $end) (i32.const 2))))
        ;; Lane i of cA (cB): the buckets of the anchors that may start at p + i - 2 (p + 14 + i).
        ;; Of nA (nB): p + i (p + 16 + i) is a line break; of oA (oB): also the byte after it is not
        ;; `first`: a line that may be odd starts there.
        (local.set $v (v128.load (local.get $p)))
        (local.set $lo (v128.and (local.get $v) (local.get $halves)))
        (local.set $hi (v128.and (i16x8.shr_u (local.get $v) (i32.const 4)) (local.get $halves)))
        (local.set $x0 (v128.and (i8x16.swizzle (local.get $l0) (local.get $lo)) (i8x16.swizzle (local.get $h0) (local.get $hi))))
        (local.set $x1 (v128.and (i8x16.swizzle (local.get $l1) (local.get $lo)) (i8x16.swizzle (local.get $h1) (local.get $hi))))
        (local.set $cA (v128.and
          (v128.and (i8x16.shuffle 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 (local.get $b0) (local.get $x0))
            (i8x16.shuffle 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 (local.get $b1) (local.get $x1)))
          (v128.and (i8x16.swizzle (local.get $l2) (local.get $lo)) (i8x16.swizzle (local.get $h2) (local.get $hi)))))
        (local.set $nA (i8x16.eq (local.get $v) (local.get $breakv)))
        (local.set $oA (v128.andnot (local.get $nA) (i8x16.eq (v128.load offset=1 (local.get $p)) (local.get $firstv))))
        (local.set $v (v128.load offset=16 (local.get $p)))
        (local.set $lo (v128.and (local.get $v) (local.get $halves)))
        (local.set $hi (v128.and (i16x8.shr_u (local.get $v) (i32.const 4)) (local.get $halves)))
        (local.set $b0 (v128.and (i8x16.swizzle (local.get $l0) (local.get $lo)) (i8x16.swizzle (local.get $h0) (local.get $hi))))
        (local.set $b1 (v128.and (i8x16.swizzle (local.get $l1) (local.get $lo)) (i8x16.swizzle (local.get $h1) (local.get $hi))))
        (local.set $cB (v128.and
          (v128.and (i8x16.shuffle 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 (local.get $x0) (local.get $b0))
            (i8x16.shuffle 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 (local.get $x1) (local.get $b1)))
          (v128.and (i8x16.swizzle (local.get $l2) (local.get $lo)) (i8x16.swizzle (local.get $h2) (local.get $hi)))))
        (local.set $nB (i8x16.eq (local.get $v) (local.get $breakv)))
        (local.set $oB (v128.andnot (local.get $nB) (i8x16.eq (v128.load offset=17 (local.get $p)) (local.get $firstv))))
        ;; A line start of one byte is its own last (JSON's `{`): only a longer one is tested again.
        (if (local.get $shift)
          (then
            (local.set $ps (i32.add (local.get $p) (local.get $shift)))
            (local.set $oA (v128.or (local.get $oA) (v128.andnot (local.get $nA) (i8x16.eq (v128.load offset=1 (local.get $ps)) (local.get $lastv)))))
            (local.set $oB (v128.or (local.get $oB) (v128.andnot (local.get $nB) (i8x16.eq (v128.load offset=17 (local.get $ps)) (local.get $lastv)))))))
        ;; Bit i: a line break at p + i.
        (local.set $nl (i32.or (i8x16.bitmask (local.get $nA)) (i32.shl (i8x16.bitmask (local.get $nB)) (i32.const 16))))
        ;; A step that reaches past the end always takes this branch: it holds two bytes of the
        ;; padding, a line break followed by one, which would start an odd line.
        (if (v128.any_true (v128.or (v128.or (local.get $cA) (local.get $cB)) (v128.or (local.get $oA) (local.get $oB))))
          (then
            ;; Bit i: an anchor may start at p + i - 2. Places at or past the end are not the
            ;; block's, nor are the line breaks there (the padding).
            (local.set $m (i32.xor (i32.or (i8x16.bitmask (i8x16.eq (local.get $cA) (v128.const i32x4 0 0 0 0)))
              (i32.shl (i8x16.bitmask (i8x16.eq (local.get $cB) (v128.const i32x4 0 0 0 0))) (i32.const 16))) (i32.const -1)))
            (if (i32.lt_s (local.tee $k (i32.sub (local.get $end) (local.get $p))) (i32.const 32))
              (then
                (local.set $m (i32.and (local.get $m)
                  (i32.wrap_i64 (i64.sub (i64.shl (i64.const 1) (i64.extend_i32_u (i32.add (local.get $k) (i32.const 2)))) (i64.const 1)))))
                (local.set $nl (select
                  (i32.and (local.get $nl) (i32.sub (i32.shl (i32.const 1) (local.get $k)) (i32.const 1)))
                  (i32.const 0)
                  (i32.gt_s (local.get $k) (i32.const 0))))))
            (loop $places
              (if (local.get $m)
                (then
                  (local.set $at (i32.sub (i32.add (local.get $p) (i32.ctz (local.get $m))) (i32.const 2)))
                  (local.set $m (i32.and (local.get $m) (i32.sub (local.get $m) (i32.const 1))))
                  (local.set $slot (i32.load offset=65536 (i32.shl (i32.load16_u (local.get $at)) (i32.const 2))))
                  (local.set $a (i32.and (local.get $slot) (i32.const 0xfffff)))
                  (local.set $stop (i32.add (local.get $a) (i32.shr_u (local.get $slot) (i32.const 20))))
                  (loop $anchors
                    (if (i32.lt_u (local.get $a) (local.get $stop))
                      (then
                        (local.set $anchor (i32.load offset=1245184 (i32.shl (local.get $a) (i32.const 3))))
                        (local.set $state (i32.load offset=1245188 (i32.shl (local.get $a) (i32.const 3))))
                        (local.set $a (i32.add (local.get $a) (i32.const 1)))
                        (local.set $needle (i32.and (local.get $anchor) (i32.const 0xffff)))
                        (local.set $s (i32.sub (local.get $at) (i32.shr_s (local.get $anchor) (i32.const 16))))
                        (local.set $len (i32.and (local.get $state) (i32.const 0xffff)))
                        (local.set $state (i32.shr_u (local.get $state) (i32.const 16)))
                        (br_if $anchors (i32.lt_u (local.get $s) (local.get $start)))
                        (br_if $anchors (i32.gt_u (i32.add (local.get $s) (local.get $len)) (local.get $end)))
                        ;; What must follow first: a near miss is most often told by its next byte.
                        ;; The automaton of its patterns (all of them at once) reads a byte per step
                        ;; until it rejects (state 0) or accepts (1); no pattern reads a line break, so
                        ;; it stays in the line. A marked state is left where one of its exits is
                        ;; found, sixteen bytes a step.
                        (local.set $q (i32.add (local.get $s) (local.get $len)))
                        (block $ended
                          (loop $step
                            (br_if $ended (i32.le_u (local.get $state) (i32.const 1)))
                            (if (i32.ge_u (local.get $state) (i32.const 0x8000))
                              (then
                                (local.set $state (i32.and (local.get $state) (i32.const 0x7fff)))
                                (local.set $k (i32.add (i32.const 1024) (i32.shl (local.get $state) (i32.const 6))))
                                (loop $skip
                                  (local.set $v (v128.load (local.get $q)))
                                  (local.set $f (i8x16.bitmask (v128.or
                                    (v128.or (i8x16.eq (local.get $v) (v128.load offset=0 (local.get $k))) (i8x16.eq (local.get $v) (v128.load offset=16 (local.get $k))))
                                    (v128.or (i8x16.eq (local.get $v) (v128.load offset=32 (local.get $k))) (i8x16.eq (local.get $v) (v128.load offset=48 (local.get $k)))))))
                                  (if (i32.eqz (local.get $f))
                                    (then
                                      (local.set $q (i32.add (local.get $q) (i32.const 16)))
                                      (br $skip))))
                                (local.set $q (i32.add (local.get $q) (i32.ctz (local.get $f))))))
                            (local.set $state (i32.load16_u offset=589824
                              (i32.or (i32.shl (local.get $state) (i32.const 9)) (i32.shl (i32.load8_u (local.get $q)) (i32.const 1)))))
                            (local.set $q (i32.add (local.get $q) (i32.const 1)))
                            (br $step)))
                        (br_if $anchors (i32.eqz (local.get $state)))
                        (local.set $bytes (i32.load offset=458752 (i32.shl (local.get $needle) (i32.const 3))))
                        ;; Four bytes at a time: the needle is padded to `width` with bytes that always match.
                        (local.set $width (i32.and (i32.add (local.get $len) (i32.const 3)) (i32.const -4)))
                        (local.set $k (i32.const 0))
                        (block $matched
                          (loop $compare
                            (br_if $matched (i32.ge_u (local.get $k) (local.get $width)))
                            (br_if $anchors
                              (i32.ne
                                (i32.or
                                  (i32.load (i32.add (local.get $s) (local.get $k)))
                                  (i32.load (i32.add (i32.add (local.get $bytes) (local.get $width)) (local.get $k))))
                                (i32.load (i32.add (local.get $bytes) (local.get $k)))))
                            (local.set $k (i32.add (local.get $k) (i32.const 4)))
                            (br $compare)))
                        ;; Its line, found once per line: from the last line break before s (within
                        ;; the block) to the next one.
                        (if (i32.or (i32.lt_u (local.get $s) (local.get $lastStart)) (i32.ge_u (local.get $s) (local.get $lastEnd)))
                          (then
                            (local.set $q (local.get $s))
                            (block $found
                              (loop $back
                                (local.set $q (i32.sub (local.get $q) (i32.const 16)))
                                (local.set $k (i8x16.bitmask (i8x16.eq (v128.load (local.get $q)) (local.get $breakv))))
                                (if (i32.lt_s (local.get $q) (local.get $start))
                                  (then
                                    (local.set $k (i32.and (local.get $k) (i32.shl (i32.const -1) (i32.sub (local.get $start) (local.get $q)))))
                                    (local.set $lastStart (local.get $start))
                                    (br_if $found (i32.eqz (local.get $k)))))
                                (local.set $lastStart (i32.sub (i32.add (local.get $q) (i32.const 32)) (i32.clz (local.get $k))))
                                (br_if $back (i32.eqz (local.get $k)))))
                            (local.set $q (local.get $s))
                            (loop $to_end
                              (local.set $k (i8x16.bitmask (i8x16.eq (v128.load (local.get $q)) (local.get $breakv))))
                              (if (i32.eqz (local.get $k))
                                (then
                                  (local.set $q (i32.add (local.get $q) (i32.const 16)))
                                  (br $to_end))))
                            (local.set $lastEnd (i32.add (local.get $q) (i32.ctz (local.get $k))))))
                        ;; The line breaks before it: those before p, and this step's before s (none
                        ;; between s and p when s is before p: no needle holds a line break).
                        (local.set $q (i32.shl (local.get $n) (i32.const 5)))
                        (i32.store offset=720896 (local.get $q) (local.get $s))
                        (i32.store offset=720900 (local.get $q) (local.get $needle))
                        (i32.store offset=720904 (local.get $q) (local.get $lastStart))
                        (i32.store offset=720908 (local.get $q) (local.get $lastEnd))
                        (i32.store offset=720912 (local.get $q) (i32.add (local.get $breaks)
                          (i32.popcnt (i32.and (local.get $nl) (select
                            (i32.sub (i32.shl (i32.const 1) (i32.sub (local.get $s) (local.get $p))) (i32.const 1))
                            (i32.const 0)
                            (i32.gt_s (local.get $s) (local.get $p)))))))
                        (local.set $n (i32.add (local.get $n) (i32.const 1)))
                        (br $anchors))))
                  (br $places))))
            ;; The lines starting here that may be odd (bit i: at p + i + 1, after a line break,
            ;; not `first`; none without a first byte), read after this step's hits.
            (local.set $o (i32.and (i32.and (local.get $nl) (i32.sub (i32.const 0) (i32.ge_s (local.get $first) (i32.const 0))))
              (i32.or (i8x16.bitmask (local.get $oA)) (i32.shl (i8x16.bitmask (local.get $oB)) (i32.const 16)))))
            (loop $odd_lines
              (if (local.get $o)
                (then
                  (local.set $k (i32.ctz (local.get $o)))
                  (local.set $o (i32.and (local.get $o) (i32.sub (local.get $o) (i32.const 1))))
                  (local.set $ls (i32.add (i32.add (local.get $p) (local.get $k)) (i32.const 1)))
                  ;; Odd when its first byte after blanks is not the line start's, or the byte at
                  ;; the place of its last is not that one (blank lines too).
                  (local.set $q (local.get $ls))
                  (loop $blanks
                    (local.set $f (i32.load8_u (local.get $q)))
                    (local.set $q (i32.add (local.get $q) (i32.const 1)))
                    (br_if $blanks (i32.or (i32.eq (local.get $f) (i32.const 32)) (i32.eq (local.get $f) (i32.const 9)))))
                  (if (i32.and (i32.lt_u (local.get $ls) (local.get $end)) (i32.or (i32.ne (local.get $f) (local.get $c0))
                    (i32.ne (i32.load8_u (i32.add (i32.sub (local.get $q) (i32.const 1)) (local.get $shift))) (local.get $c1))))
                    (then
                      (local.set $q (i32.shl (local.get $odds) (i32.const 3)))
                      (i32.store offset=1769472 (local.get $q) (local.get $ls))
                      (i32.store offset=1769476 (local.get $q) (i32.add (local.get $breaks)
                        (i32.popcnt (i32.and (local.get $nl) (i32.sub (i32.shl (i32.const 2) (local.get $k)) (i32.const 1))))))
                      (local.set $odds (i32.add (local.get $odds) (i32.const 1)))))
                  (br $odd_lines))))
            ;; A step writes at most 32 odd lines, and 32 times the most anchors at a pair hits.
            (if (i32.or (i32.ge_u (local.get $n) (local.get $room)) (i32.ge_u (local.get $odds) (i32.const 16352)))
              (then
                (global.set $next (i32.add (local.get $p) (i32.const 32)))
                (global.set $breaks (i32.add (local.get $breaks) (i32.popcnt (local.get $nl))))
                (global.set $odds (local.get $odds))
                (return (local.get $n))))))
        (local.set $breaks (i32.add (local.get $breaks) (i32.popcnt (local.get $nl))))
        (local.set $p (i32.add (local.get $p) (i32.const 32)))
        (br $steps)))
    (global.set $next (local.get $end))
    (global.set $breaks (local.get $breaks))
    (global.set $odds (local.get $odds))
    (local.get $n))

  ;; Counts the sample [from, end) for the anchors' placement (prefilter.ts `compile`): at `tables`,
  ;; each byte's count (u32[256]) and each triple's by its hash (u32[1 << 18], the hash as
  ;; placement.ts `hash`); at `list`, each triple whose count reaches
  ;; `common`, as a little-endian u32. Returns how many there are. Here, not in JavaScript: it
  ;; runs once per process, before the JavaScript compiler has made its loop fast.
  (func (export "count") (param $from i32) (param $end i32) (param $tables i32) (param $common i32) (param $list i32) (result i32)
    (local $p i32) (local $t i32) (local $at i32) (local $c i32) (local $n i32)
    (local.set $p (local.get $from))
    (block $done
      (loop $bytes
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $t (i32.and (i32.load (local.get $p)) (i32.const 0xffffff)))
        (local.set $at (i32.add (local.get $tables) (i32.shl (i32.and (local.get $t) (i32.const 0xff)) (i32.const 2))))
        (i32.store (local.get $at) (i32.add (i32.load (local.get $at)) (i32.const 1)))
        (local.set $at (i32.add (local.get $tables)
          (i32.shl (i32.shr_u (i32.mul (local.get $t) (i32.const 0x9e3779b1)) (i32.const 14)) (i32.const 2))))
        (local.set $c (i32.add (i32.load offset=1024 (local.get $at)) (i32.const 1)))
        (i32.store offset=1024 (local.get $at) (local.get $c))
        (if (i32.eq (local.get $c) (local.get $common))
          (then
            (i32.store (i32.add (local.get $list) (i32.shl (local.get $n) (i32.const 2))) (local.get $t))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $bytes)))
    (local.get $n))

  ;; Takes the collector's prefix off each line of [start, end) (whole lines: end - 1 is a line
  ;; break) in place, the lines moved up to close the gaps; returns the new end. The prefix is
  ;; src/prefix.ts's PREFIX, matched by hand (`prefix`): here, because it runs on every line of
  ;; a prefixed log, and a string made of the bytes for the pattern cost more than the pattern.
  ;; A prefix that names its source stays on a line whose first byte after blanks is not `first`
  ;; (how the format's lines start; 256 for none): the reader reads such a line, one of the text
  ;; between records (a crash report), with the others of its source (prefix.ts `trimmed`).
  ;; Each line that names another source than the line before it (`source`, at 508) is noted
  ;; from `out` + 1024: its index among the lines from `start` (u32) and its name's hash (u32);
  ;; then, when the hash is not among those known (`out`: u32[256], each at its low byte, as the
  ;; caller knows them), the index's top bit is set and the name's length (u32) and bytes follow,
  ;; padded to four, and the hash is known from then on. `noted` is where the notes end.
  (func (export "strip") (param $start i32) (param $end i32) (param $first i32) (param $out i32) (result i32)
    (local $pos i32) (local $to i32) (local $p i32) (local $q i32) (local $k i32) (local $n i32)
    (local $line i32) (local $known i32) (local $h i32)
    (local $breakv v128)
    (local.set $known (local.get $out))
    (local.set $out (i32.add (local.get $out) (i32.const 1024)))
    (local.set $breakv (v128.load offset=112 (i32.const 0)))
    (local.set $pos (local.get $start))
    (local.set $to (local.get $start))
    (block $done
      (loop $lines
        (br_if $done (i32.ge_u (local.get $pos) (local.get $end)))
        (local.set $p (call $prefix (local.get $pos)))
        (if (global.get $named)
          (then
            (local.set $n (global.get $name_len))
            (if (i32.eqz (call $same (global.get $name_at) (local.get $n)))
              (then
                (local.set $h (call $hash (global.get $name_at) (local.get $n)))
                (local.set $k (i32.add (local.get $known) (i32.shl (i32.and (local.get $h) (i32.const 255)) (i32.const 2))))
                (i32.store offset=4 (local.get $out) (local.get $h))
                (if (i32.eq (i32.load (local.get $k)) (local.get $h))
                  (then
                    (i32.store (local.get $out) (local.get $line))
                    (local.set $out (i32.add (local.get $out) (i32.const 8))))
                  (else
                    (i32.store (local.get $k) (local.get $h))
                    (i32.store (local.get $out) (i32.or (local.get $line) (i32.const 0x80000000)))
                    (i32.store offset=8 (local.get $out) (local.get $n))
                    (memory.copy (i32.add (local.get $out) (i32.const 12)) (global.get $name_at) (local.get $n))
                    (local.set $out (i32.add (local.get $out) (i32.and (i32.add (local.get $n) (i32.const 15)) (i32.const -4))))))
                (i32.store (i32.const 508) (local.get $n))
                (memory.copy (i32.const 512) (global.get $name_at) (local.get $n))))
            (local.set $q (local.get $p))
            (loop $blanks
              (local.set $k (i32.load8_u (local.get $q)))
              (local.set $q (i32.add (local.get $q) (i32.const 1)))
              (br_if $blanks (i32.or (i32.eq (local.get $k) (i32.const 32)) (i32.eq (local.get $k) (i32.const 9)))))
            (if (i32.and (i32.ne (local.get $k) (local.get $first)) (i32.ne (local.get $first) (i32.const 256)))
              (then (local.set $p (local.get $pos))))))
        ;; The line's break, sixteen bytes a step (no prefix holds one).
        (local.set $q (local.get $p))
        (loop $find
          (local.set $k (i8x16.bitmask (i8x16.eq (v128.load (local.get $q)) (local.get $breakv))))
          (if (i32.eqz (local.get $k))
            (then
              (local.set $q (i32.add (local.get $q) (i32.const 16)))
              (br $find))))
        (local.set $n (i32.sub (i32.add (i32.add (local.get $q) (i32.ctz (local.get $k))) (i32.const 1)) (local.get $p)))
        (if (i32.ne (local.get $p) (local.get $to))
          (then (memory.copy (local.get $to) (local.get $p) (local.get $n))))
        (local.set $to (i32.add (local.get $to) (local.get $n)))
        (local.set $pos (i32.add (local.get $p) (local.get $n)))
        (local.set $line (i32.add (local.get $line) (i32.const 1)))
        (br $lines)))
    (global.set $noted (local.get $out))
    (local.get $to))

  ;; 1 when the `n` bytes at `p` are the name of the source noted last (at 508): sixteen bytes at
  ;; a time, the last sixteen overlapping the ones before (a name of 16 bytes or more; it is read
  ;; on every line of a prefixed log).
  (func $same (param $p i32) (param $n i32) (result i32)
    (local $k i32)
    (if (i32.ne (i32.load (i32.const 508)) (local.get $n)) (then (return (i32.const 0))))
    (if (i32.lt_u (local.get $n) (i32.const 16))
      (then
        (loop $bytes
          (if (local.get $n)
            (then
              (local.set $n (i32.sub (local.get $n) (i32.const 1)))
              (if (i32.ne (i32.load8_u (i32.add (local.get $p) (local.get $n))) (i32.load8_u offset=512 (local.get $n)))
                (then (return (i32.const 0))))
              (br $bytes))))
        (return (i32.const 1))))
    (local.set $n (i32.sub (local.get $n) (i32.const 16)))
    (loop $chunks
      (if (i32.lt_u (local.get $k) (local.get $n))
        (then
          (if (v128.any_true (v128.xor (v128.load align=1 (i32.add (local.get $p) (local.get $k))) (v128.load offset=512 align=1 (local.get $k))))
            (then (return (i32.const 0))))
          (local.set $k (i32.add (local.get $k) (i32.const 16)))
          (br $chunks))))
    (i32.eqz (v128.any_true (v128.xor (v128.load align=1 (i32.add (local.get $p) (local.get $n))) (v128.load offset=512 align=1 (local.get $n))))))

  ;; FNV-1a of the `n` bytes at `p`, never 0 (the known hashes' empty place): a source's name,
  ;; once per change.
  (func $hash (param $p i32) (param $n i32) (result i32)
    (local $h i32)
    (local.set $h (i32.const 0x811c9dc5))
    (loop $bytes
      (if (local.get $n)
        (then
          (local.set $h (i32.mul (i32.xor (local.get $h) (i32.load8_u (local.get $p))) (i32.const 0x01000193)))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br $bytes))))
    (i32.or (local.get $h) (i32.const 1)))

  ;; Where the line at `p` starts once its collector's prefix is taken off (`p` when it has
  ;; none): kubectl's `[pod/…] ` or compose's name, padding and `| ` (colored or not), then the
  ;; time as RFC 3339 with a space; each part as PREFIX matches it, its bounds included. No part
  ;; takes a line break, so the match stays in its line.
  (func $prefix (param $p i32) (result i32)
    (local $q i32) (local $n i32) (local $c i32) (local $at i32)
    (local.set $at (local.get $p))
    (block $named
      ;; `[pod/`, then 1 to 316 bytes but `]` and blanks (\s on Latin-1 text), then `] `.
      (if (i32.and (i32.eq (i32.load8_u (local.get $p)) (i32.const 0x5b)) (i32.eq (i32.load offset=1 align=1 (local.get $p)) (i32.const 0x2f646f70)))
        (then
          (local.set $q (i32.add (local.get $p) (i32.const 5)))
          (block $name_end
            (loop $name
              (local.set $c (i32.load8_u (local.get $q)))
              (br_if $name_end (i32.or (i32.or (i32.eq (local.get $c) (i32.const 0x5d)) (i32.eq (local.get $c) (i32.const 0x20)))
                (i32.or (i32.lt_u (i32.sub (local.get $c) (i32.const 9)) (i32.const 5)) (i32.eq (local.get $c) (i32.const 0xa0)))))
              (local.set $q (i32.add (local.get $q) (i32.const 1)))
              (br_if $name (i32.le_u (i32.sub (local.get $q) (local.get $p)) (i32.const 321)))))
          (local.set $n (i32.sub (local.get $q) (i32.add (local.get $p) (i32.const 5))))
          (br_if $named (i32.or (i32.or (i32.eqz (local.get $n)) (i32.gt_u (local.get $n) (i32.const 316)))
            (i32.ne (i32.load16_u align=1 (local.get $q)) (i32.const 0x205d))))
          ;; The name is `pod/<name>/<container>`.
          (global.set $name_at (i32.add (local.get $p) (i32.const 1)))
          (global.set $name_len (i32.sub (local.get $q) (i32.add (local.get $p) (i32.const 1))))
          (local.set $p (i32.add (local.get $q) (i32.const 2)))
          (br $named)))
      ;; Compose: an optional color (`ESC[`, 1 to 16 of [0-9;], `m`), a name of 1 to 255 of
      ;; [A-Za-z0-9_.-], 1 to 256 spaces, `| `, an optional `ESC[0m`.
      (local.set $q (local.get $p))
      (if (i32.eq (i32.load16_u align=1 (local.get $q)) (i32.const 0x5b1b))
        (then
          (local.set $q (i32.add (local.get $q) (i32.const 2)))
          (loop $color
            (local.set $c (i32.load8_u (local.get $q)))
            (if (i32.or (i32.lt_u (i32.sub (local.get $c) (i32.const 0x30)) (i32.const 10)) (i32.eq (local.get $c) (i32.const 0x3b)))
              (then
                (local.set $q (i32.add (local.get $q) (i32.const 1)))
                (br_if $color (i32.le_u (i32.sub (local.get $q) (local.get $p)) (i32.const 19))))))
          (local.set $n (i32.sub (local.get $q) (i32.add (local.get $p) (i32.const 2))))
          (br_if $named (i32.or (i32.or (i32.eqz (local.get $n)) (i32.gt_u (local.get $n) (i32.const 16)))
            (i32.ne (i32.load8_u (local.get $q)) (i32.const 0x6d))))
          (local.set $q (i32.add (local.get $q) (i32.const 1)))))
      (local.set $n (local.get $q))
      (loop $word
        (local.set $c (i32.load8_u (local.get $q)))
        (if (i32.or (i32.or (i32.lt_u (i32.sub (local.get $c) (i32.const 0x30)) (i32.const 10)) (i32.lt_u (i32.sub (i32.or (local.get $c) (i32.const 0x20)) (i32.const 0x61)) (i32.const 26)))
              (i32.or (i32.eq (local.get $c) (i32.const 0x5f)) (i32.lt_u (i32.sub (local.get $c) (i32.const 0x2d)) (i32.const 2))))
          (then
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (br_if $word (i32.le_u (i32.sub (local.get $q) (local.get $n)) (i32.const 255))))))
      (local.set $n (i32.sub (local.get $q) (local.get $n)))
      (br_if $named (i32.or (i32.eqz (local.get $n)) (i32.gt_u (local.get $n) (i32.const 255))))
      (global.set $name_at (i32.sub (local.get $q) (local.get $n)))
      (global.set $name_len (local.get $n))
      (local.set $n (local.get $q))
      (loop $pad
        (if (i32.eq (i32.load8_u (local.get $q)) (i32.const 0x20))
          (then
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (br_if $pad (i32.le_u (i32.sub (local.get $q) (local.get $n)) (i32.const 256))))))
      (local.set $n (i32.sub (local.get $q) (local.get $n)))
      (br_if $named (i32.or (i32.or (i32.eqz (local.get $n)) (i32.gt_u (local.get $n) (i32.const 256)))
        (i32.ne (i32.load16_u align=1 (local.get $q)) (i32.const 0x207c))))
      (local.set $q (i32.add (local.get $q) (i32.const 2)))
      (if (i32.eq (i32.load align=1 (local.get $q)) (i32.const 0x6d305b1b))
        (then (local.set $q (i32.add (local.get $q) (i32.const 4)))))
      (local.set $p (local.get $q)))
    (global.set $named (i32.ne (local.get $p) (local.get $at)))
    ;; journalctl's time, source and `: `, tried before the kubelet's time (PREFIX's order); its
    ;; ISO style after the date and clock they share, below.
    (local.set $n (call $journal (call $jtime (local.get $p))))
    (if (local.get $n) (then (return (local.get $n))))
    ;; `dddd-dd-ddTdd:dd:dd`, an optional `.` and 1 to 9 digits, `Z` or `+hh:mm` / `-hh:mm`, a space.
    (local.set $q (local.get $p))
    (block $timed
      (br_if $timed (i32.eqz (i32.and
        (i32.and
          (i32.and (call $digits (local.get $q) (i32.const 4)) (i32.eq (i32.load8_u offset=4 (local.get $q)) (i32.const 0x2d)))
          (i32.and (call $digits (i32.add (local.get $q) (i32.const 5)) (i32.const 2)) (i32.eq (i32.load8_u offset=7 (local.get $q)) (i32.const 0x2d))))
        (i32.and
          (i32.and
            (i32.and (call $digits (i32.add (local.get $q) (i32.const 8)) (i32.const 2)) (i32.eq (i32.load8_u offset=10 (local.get $q)) (i32.const 0x54)))
            (i32.and (call $digits (i32.add (local.get $q) (i32.const 11)) (i32.const 2)) (i32.eq (i32.load8_u offset=13 (local.get $q)) (i32.const 0x3a))))
          (i32.and
            (i32.and (call $digits (i32.add (local.get $q) (i32.const 14)) (i32.const 2)) (i32.eq (i32.load8_u offset=16 (local.get $q)) (i32.const 0x3a)))
            (call $digits (i32.add (local.get $q) (i32.const 17)) (i32.const 2)))))))
      (local.set $n (call $journal (call $jiso (i32.add (local.get $q) (i32.const 19)))))
      (if (local.get $n) (then (return (local.get $n))))
      (local.set $q (i32.add (local.get $q) (i32.const 19)))
      (if (i32.eq (i32.load8_u (local.get $q)) (i32.const 0x2e))
        (then
          (local.set $n (i32.add (local.get $q) (i32.const 1)))
          (loop $fraction
            (if (i32.lt_u (i32.sub (i32.load8_u (local.get $n)) (i32.const 0x30)) (i32.const 10))
              (then
                (local.set $n (i32.add (local.get $n) (i32.const 1)))
                (br_if $fraction (i32.le_u (i32.sub (local.get $n) (local.get $q)) (i32.const 10))))))
          (local.set $c (i32.sub (i32.sub (local.get $n) (local.get $q)) (i32.const 1)))
          (br_if $timed (i32.or (i32.eqz (local.get $c)) (i32.gt_u (local.get $c) (i32.const 9))))
          (local.set $q (local.get $n))))
      (local.set $c (i32.load8_u (local.get $q)))
      (if (i32.eq (local.get $c) (i32.const 0x5a))
        (then (local.set $q (i32.add (local.get $q) (i32.const 1))))
        (else
          (br_if $timed (i32.eqz (i32.and
            (i32.and (i32.or (i32.eq (local.get $c) (i32.const 0x2b)) (i32.eq (local.get $c) (i32.const 0x2d)))
              (call $digits (i32.add (local.get $q) (i32.const 1)) (i32.const 2)))
            (i32.and (i32.eq (i32.load8_u offset=3 (local.get $q)) (i32.const 0x3a)) (call $digits (i32.add (local.get $q) (i32.const 4)) (i32.const 2))))))
          (local.set $q (i32.add (local.get $q) (i32.const 6)))))
      (br_if $timed (i32.ne (i32.load8_u (local.get $q)) (i32.const 0x20)))
      (local.set $p (i32.add (local.get $q) (i32.const 1)))
      ;; A container runtime's file (CRI: containerd, CRI-O): the stream, the tag (full or
      ;; partial), a space each: `stdout F `, `stderr P `.
      (br_if $timed (i32.eqz (i32.and
        (i32.or
          (i32.and (i32.eq (i32.load align=1 (local.get $p)) (i32.const 0x6f647473)) (i32.eq (i32.load16_u offset=4 align=1 (local.get $p)) (i32.const 0x7475)))
          (i32.and (i32.eq (i32.load align=1 (local.get $p)) (i32.const 0x65647473)) (i32.eq (i32.load16_u offset=4 align=1 (local.get $p)) (i32.const 0x7272))))
        (i32.and
          (i32.and (i32.eq (i32.load8_u offset=6 (local.get $p)) (i32.const 0x20)) (i32.eq (i32.load8_u offset=8 (local.get $p)) (i32.const 0x20)))
          (i32.or (i32.eq (i32.load8_u offset=7 (local.get $p)) (i32.const 0x46)) (i32.eq (i32.load8_u offset=7 (local.get $p)) (i32.const 0x50)))))))
      (local.set $p (i32.add (local.get $p) (i32.const 9))))
    (local.get $p))

  ;; Past the journal's source and `: ` when its time ended at `q` (0: none); 0 when it has none.
  ;; Its source names the line's when nothing before it did.
  (func $journal (param $q i32) (result i32)
    (local $n i32)
    (if (i32.eqz (local.get $q)) (then (return (i32.const 0))))
    (local.set $n (call $jsource (local.get $q)))
    (if (i32.and (i32.ne (local.get $n) (i32.const 0)) (i32.eqz (global.get $named)))
      (then
        (global.set $named (i32.const 1))
        (global.set $name_at (local.get $q))
        (global.set $name_len (i32.sub (global.get $jname_end) (local.get $q)))))
    (local.get $n))

  ;; Where journalctl's time at `p` ends, past its blank; 0 when there is none. One style per
  ;; alternative of prefix.ts JOURNAL_TIME but the ISO one (`$jiso`, after the date and clock
  ;; that the kubelet's time shares); no two start alike, so the first that starts is the only one
  ;; that can match.
  (func $jtime (param $p i32) (result i32)
    (local $q i32) (local $n i32) (local $c i32)
    ;; Each style is told by one byte first: most lines (a collector's time, or none) have none of them.
    (if (i32.eq (i32.load8_u offset=3 (local.get $p)) (i32.const 0x20))
      (then
        (if (call $letters3 (local.get $p))
          (then
            ;; `Nov 26 17:20:28` (rsyslog's traditional files: `Nov  6`), then `.` and 6 digits (-o short-precise)
            (if (i32.and
                  (i32.and
                    (i32.or (call $digits (i32.add (local.get $p) (i32.const 4)) (i32.const 2))
                      (i32.and (i32.eq (i32.load8_u offset=4 (local.get $p)) (i32.const 0x20)) (call $digits (i32.add (local.get $p) (i32.const 5)) (i32.const 1))))
                    (i32.eq (i32.load8_u offset=6 (local.get $p)) (i32.const 0x20)))
                  (call $clock (i32.add (local.get $p) (i32.const 7))))
              (then (return (call $spaced (call $micros (i32.add (local.get $p) (i32.const 15)))))))
            ;; `Thu 2026-11-26 17:20:28 UTC` (-o short-full): the zone 1 to 10 of [A-Za-z0-9+-]
            (if (i32.and
                  (i32.and (call $date (i32.add (local.get $p) (i32.const 4))) (i32.eq (i32.load8_u offset=14 (local.get $p)) (i32.const 0x20)))
                  (i32.and (call $clock (i32.add (local.get $p) (i32.const 15))) (i32.eq (i32.load8_u offset=23 (local.get $p)) (i32.const 0x20))))
              (then
                (local.set $q (i32.add (local.get $p) (i32.const 24)))
                (local.set $n (call $zone (local.get $q)))
                (if (i32.and (i32.ne (local.get $n) (i32.const 0)) (i32.le_u (local.get $n) (i32.const 10)))
                  (then (return (call $spaced (i32.add (local.get $q) (local.get $n))))))))
            (return (i32.const 0))))))
    ;; `1795713628.612000` (-o short-unix)
    (if (i32.eq (i32.load8_u offset=10 (local.get $p)) (i32.const 0x2e))
      (then
        (if (i32.and (call $digits (local.get $p) (i32.const 10)) (call $digits (i32.add (local.get $p) (i32.const 11)) (i32.const 6)))
          (then (return (call $spaced (i32.add (local.get $p) (i32.const 17))))))))
    ;; `[    1.000000]` (-o short-monotonic): up to 4 blanks, 1 to 10 digits, `.`, 6 digits, `]`
    (if (i32.eq (i32.load8_u (local.get $p)) (i32.const 0x5b))
      (then
        (local.set $q (i32.add (local.get $p) (i32.const 1)))
        (loop $blank
          (if (i32.eq (i32.load8_u (local.get $q)) (i32.const 0x20))
            (then
              (local.set $q (i32.add (local.get $q) (i32.const 1)))
              (br_if $blank (i32.le_u (i32.sub (local.get $q) (local.get $p)) (i32.const 5))))))
        (if (i32.gt_u (i32.sub (local.get $q) (local.get $p)) (i32.const 5))
          (then (return (i32.const 0))))
        (local.set $n (call $digitRun (local.get $q) (i32.const 10)))
        (local.set $q (i32.add (local.get $q) (local.get $n)))
        (if (i32.and
              (i32.and (i32.ne (local.get $n) (i32.const 0)) (i32.le_u (local.get $n) (i32.const 10)))
              (i32.and (i32.and (i32.eq (i32.load8_u (local.get $q)) (i32.const 0x2e)) (call $digits (i32.add (local.get $q) (i32.const 1)) (i32.const 6)))
                (i32.eq (i32.load8_u offset=7 (local.get $q)) (i32.const 0x5d))))
          (then (return (call $spaced (i32.add (local.get $q) (i32.const 8))))))))
    (i32.const 0))

  ;; Past journalctl's ISO time after its date and clock at `q` (`.` and 6 digits with
  ;; -o short-iso-precise, the offset `+0000`, or `+00:00` in later systemd) and its blank; 0 when
  ;; it is not there.
  (func $jiso (param $q i32) (result i32)
    (local $c i32)
    ;; The offset follows the clock or its six digits: the kubelet's nine digits, or `Z`, are told at once.
    (local.set $c (i32.load8_u (local.get $q)))
    (if (i32.eq (local.get $c) (i32.const 0x2e))
      (then (local.set $c (i32.load8_u offset=7 (local.get $q)))))
    (if (i32.eqz (i32.or (i32.eq (local.get $c) (i32.const 0x2b)) (i32.eq (local.get $c) (i32.const 0x2d))))
      (then (return (i32.const 0))))
    (local.set $q (call $micros (local.get $q)))
    (local.set $c (i32.load8_u (local.get $q)))
    (if (i32.eqz (i32.and (i32.or (i32.eq (local.get $c) (i32.const 0x2b)) (i32.eq (local.get $c) (i32.const 0x2d)))
          (call $digits (i32.add (local.get $q) (i32.const 1)) (i32.const 2))))
      (then (return (i32.const 0))))
    (local.set $q (i32.add (local.get $q) (i32.const 3)))
    (if (i32.eq (i32.load8_u (local.get $q)) (i32.const 0x3a))
      (then (local.set $q (i32.add (local.get $q) (i32.const 1)))))
    (if (i32.eqz (call $digits (local.get $q) (i32.const 2)))
      (then (return (i32.const 0))))
    (call $spaced (i32.add (local.get $q) (i32.const 2))))

  ;; Where the journal's source at `p` (the host and a blank, unless --no-hostname, the
  ;; identifier, the pid in brackets if any) and its `: ` end; 0 when there is none. The host is
  ;; tried first, as PREFIX's optional group is; each name is a whole run (no `[`, `]`, `:`, blank).
  (func $jsource (param $p i32) (result i32)
    (local $n i32) (local $q i32)
    (local.set $n (call $sourceRun (local.get $p) (i32.const 64)))
    (if (i32.and (i32.and (i32.ne (local.get $n) (i32.const 0)) (i32.le_u (local.get $n) (i32.const 64)))
          (i32.eq (i32.load8_u (i32.add (local.get $p) (local.get $n))) (i32.const 0x20)))
      (then
        (local.set $q (call $ident (i32.add (i32.add (local.get $p) (local.get $n)) (i32.const 1))))
        (if (local.get $q) (then (return (local.get $q))))))
    (call $ident (local.get $p)))

  ;; Where the identifier at `q` (1 to 128 bytes), its optional `[pid]` (1 to 10 digits) and `: `
  ;; end; 0 when they do not. The source's end goes to $jname_end.
  (func $ident (param $q i32) (result i32)
    (local $n i32)
    (local.set $n (call $sourceRun (local.get $q) (i32.const 128)))
    (if (i32.or (i32.eqz (local.get $n)) (i32.gt_u (local.get $n) (i32.const 128)))
      (then (return (i32.const 0))))
    (local.set $q (i32.add (local.get $q) (local.get $n)))
    (if (i32.eq (i32.load8_u (local.get $q)) (i32.const 0x5b))
      (then
        (local.set $n (call $digitRun (i32.add (local.get $q) (i32.const 1)) (i32.const 10)))
        (if (i32.or (i32.or (i32.eqz (local.get $n)) (i32.gt_u (local.get $n) (i32.const 10)))
              (i32.ne (i32.load8_u (i32.add (i32.add (local.get $q) (local.get $n)) (i32.const 1))) (i32.const 0x5d)))
          (then (return (i32.const 0))))
        (local.set $q (i32.add (i32.add (local.get $q) (local.get $n)) (i32.const 2)))))
    (if (i32.ne (i32.load16_u align=1 (local.get $q)) (i32.const 0x203a))
      (then (return (i32.const 0))))
    (global.set $jname_end (local.get $q))
    (i32.add (local.get $q) (i32.const 2)))

  ;; The length of the run at `p` of bytes a journal name may hold (all but blanks as JavaScript's
  ;; \s takes them on Latin-1 text, `[`, `]` and `:`), counted to `max` + 1 at most.
  (func $sourceRun (param $p i32) (param $max i32) (result i32)
    (local $n i32) (local $c i32)
    (block $end
      (loop $each
        (br_if $end (i32.gt_u (local.get $n) (local.get $max)))
        (local.set $c (i32.load8_u (i32.add (local.get $p) (local.get $n))))
        (br_if $end (i32.or
          (i32.or (i32.lt_u (i32.sub (local.get $c) (i32.const 9)) (i32.const 5)) (i32.eq (local.get $c) (i32.const 0x20)))
          (i32.or
            (i32.or (i32.eq (local.get $c) (i32.const 0x5b)) (i32.eq (local.get $c) (i32.const 0x5d)))
            (i32.or (i32.eq (local.get $c) (i32.const 0x3a)) (i32.eq (local.get $c) (i32.const 0xa0))))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $each)))
    (local.get $n))

  ;; The length of the run of ASCII digits at `p`, counted to `max` + 1 at most.
  (func $digitRun (param $p i32) (param $max i32) (result i32)
    (local $n i32)
    (block $end
      (loop $each
        (br_if $end (i32.gt_u (local.get $n) (local.get $max)))
        (br_if $end (i32.ge_u (i32.sub (i32.load8_u (i32.add (local.get $p) (local.get $n))) (i32.const 0x30)) (i32.const 10)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $each)))
    (local.get $n))

  ;; The length of the run of [A-Za-z0-9+-] at `p` (a time zone's name or offset), to 11 at most.
  (func $zone (param $p i32) (result i32)
    (local $n i32) (local $c i32)
    (block $end
      (loop $each
        (br_if $end (i32.gt_u (local.get $n) (i32.const 10)))
        (local.set $c (i32.load8_u (i32.add (local.get $p) (local.get $n))))
        (br_if $end (i32.eqz (i32.or
          (i32.or (i32.lt_u (i32.sub (local.get $c) (i32.const 0x30)) (i32.const 10)) (call $letter (local.get $c)))
          (i32.or (i32.eq (local.get $c) (i32.const 0x2b)) (i32.eq (local.get $c) (i32.const 0x2d))))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $each)))
    (local.get $n))

  ;; 1 when `c` is an ASCII letter.
  (func $letter (param $c i32) (result i32)
    (i32.lt_u (i32.sub (i32.or (local.get $c) (i32.const 0x20)) (i32.const 0x61)) (i32.const 26)))

  (func $letters3 (param $p i32) (result i32)
    (i32.and (i32.and (call $letter (i32.load8_u (local.get $p))) (call $letter (i32.load8_u offset=1 (local.get $p))))
      (call $letter (i32.load8_u offset=2 (local.get $p)))))

  ;; 1 for `dddd-dd-dd` at `p`.
  (func $date (param $p i32) (result i32)
    (i32.and
      (i32.and (call $digits (local.get $p) (i32.const 4)) (i32.eq (i32.load8_u offset=4 (local.get $p)) (i32.const 0x2d)))
      (i32.and
        (i32.and (call $digits (i32.add (local.get $p) (i32.const 5)) (i32.const 2)) (i32.eq (i32.load8_u offset=7 (local.get $p)) (i32.const 0x2d)))
        (call $digits (i32.add (local.get $p) (i32.const 8)) (i32.const 2)))))

  ;; 1 for `dd:dd:dd` at `p`.
  (func $clock (param $p i32) (result i32)
    (i32.and
      (i32.and (call $digits (local.get $p) (i32.const 2)) (i32.eq (i32.load8_u offset=2 (local.get $p)) (i32.const 0x3a)))
      (i32.and
        (i32.and (call $digits (i32.add (local.get $p) (i32.const 3)) (i32.const 2)) (i32.eq (i32.load8_u offset=5 (local.get $p)) (i32.const 0x3a)))
        (call $digits (i32.add (local.get $p) (i32.const 6)) (i32.const 2)))))

  ;; Past `.` and 6 digits at `q`, if they are there; else `q`.
  (func $micros (param $q i32) (result i32)
    (if (result i32) (i32.and (i32.eq (i32.load8_u (local.get $q)) (i32.const 0x2e)) (call $digits (i32.add (local.get $q) (i32.const 1)) (i32.const 6)))
      (then (i32.add (local.get $q) (i32.const 7)))
      (else (local.get $q))))

  ;; Past the blank at `q`; 0 when there is none.
  (func $spaced (param $q i32) (result i32)
    (if (result i32) (i32.eq (i32.load8_u (local.get $q)) (i32.const 0x20))
      (then (i32.add (local.get $q) (i32.const 1)))
      (else (i32.const 0))))

  ;; 1 when the `n` bytes at `p` are all ASCII digits.
  (func $digits (param $p i32) (param $n i32) (result i32)
    (local $ok i32)
    (local.set $ok (i32.const 1))
    (loop $each
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (local.set $ok (i32.and (local.get $ok) (i32.lt_u (i32.sub (i32.load8_u (i32.add (local.get $p) (local.get $n))) (i32.const 0x30)) (i32.const 10))))
      (br_if $each (i32.gt_s (local.get $n) (i32.const 0))))
    (local.get $ok))
)
